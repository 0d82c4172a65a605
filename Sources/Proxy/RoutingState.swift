import RoutingCore
import Synchronization

/// The proxy's compiled routing (its ``VirtualHosts``), swapped whole by a reload. A
/// request reads it once, when it starts, and keeps that table to the end: a reload never
/// changes the routes of a request in flight.
final class RoutingState: Sendable {
    private let current: Mutex<VirtualHosts>
    private let counters = Mutex(ReloadMetrics())

    init(_ routeSets: [RouteSet]) {
        current = Mutex(VirtualHosts(routeSets))
    }

    /// The tables now (one short lock, a reference copy).
    var hosts: VirtualHosts { current.withLock { $0 } }

    /// Installs tables compiled from `routeSets`; requests that start afterwards use them.
    func replace(with routeSets: [RouteSet]) {
        let compiled = VirtualHosts(routeSets)
        current.withLock { $0 = compiled }
        counters.withLock { $0.reloads += 1 }
    }

    /// Counts a reload whose new config was rejected.
    func recordFailure(_ message: String) {
        counters.withLock {
            $0.failures += 1
            $0.lastFailure = message
        }
    }

    var metrics: ReloadMetrics { counters.withLock { $0 } }
}

/// Config reloads of one proxy since it started.
public struct ReloadMetrics: Sendable, Hashable {
    /// Reloads that installed new route tables.
    public var reloads = 0
    /// Reloads rejected because the new files did not validate (the old tables stayed).
    public var failures = 0
    /// The errors of the last rejected reload.
    public var lastFailure: String?

    /// All zero.
    public init() {}
}

import Foundation
import Logging
import RoutingCore
import UnixSignals

/// Re-reads a proxy's route config on `SIGHUP` and when the files change, and swaps the
/// compiled tables in ``RoutingState``. A config that does not validate is rejected with
/// its located errors logged and counted (``ReloadMetrics/failures``); the old tables
/// stay. Requests in flight keep the tables they started with.
struct ConfigReloader: Sendable {
    let settings: ReloadSettings
    let state: RoutingState
    /// The route sets the proxy started with, to tell what a reload changed.
    let initial: [RouteSet]
    let logger: Logger
    /// The watched files as they were when the reloader was made — before the server
    /// listens — so a change made as soon as it does is seen.
    private let startingFingerprint: [FileStamp?]

    init(settings: ReloadSettings, state: RoutingState, initial: [RouteSet], logger: Logger) {
        self.settings = settings
        self.state = state
        self.initial = initial
        self.logger = logger
        startingFingerprint = Self.fingerprint(settings.source.paths)
    }

    /// Watches until cancelled. Triggers feed one loop, so reloads never overlap.
    func run() async {
        let (triggers, trigger) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { group in
            if settings.onSIGHUP {
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { trigger.yield("SIGHUP") }
                }
            }
            if let interval = settings.pollInterval {
                let paths = settings.source.paths
                let starting = startingFingerprint
                group.addTask {
                    var last = starting
                    while (try? await Task.sleep(for: interval)) != nil {
                        let now = Self.fingerprint(paths)
                        if now != last {
                            last = now
                            trigger.yield("file change")
                        }
                    }
                }
            }
            group.addTask {
                var previous = initial
                for await reason in triggers {
                    previous = reload(reason: reason, previous: previous)
                }
            }
            await withTaskCancellationHandler {
                await group.next()
            } onCancel: {
                trigger.finish()
            }
            group.cancelAll()
        }
    }

    /// One reload: the new route sets when they validate, else `previous`.
    func reload(reason: String, previous: [RouteSet]) -> [RouteSet] {
        let sets: [RouteSet]
        do {
            sets = try settings.source.load()
        } catch {
            state.recordFailure(error.description)
            logger.error(
                "config reload rejected; the previous routes stay in force",
                metadata: ["trigger": "\(reason)", "errors": "\(error.description)"])
            return previous
        }
        guard sets != previous else {
            logger.debug("config reload: nothing changed", metadata: ["trigger": "\(reason)"])
            return previous
        }
        state.replace(with: sets)
        if sets.map(\.port) != previous.map(\.port) || sets.map(\.accessLog) != previous.map(\.accessLog) {
            logger.warning("config reload: listener port and accessLog changes take effect at the next restart")
        }
        logger.info(
            "config reloaded",
            metadata: [
                "trigger": "\(reason)", "route_sets": "\(sets.map(\.name).joined(separator: ", "))",
                "routes": "\(sets.reduce(0) { $0 + $1.routes.count })", "reloads": "\(state.metrics.reloads)",
            ])
        return sets
    }

    /// Modification time, size and inode of each file (nil for a missing one).
    static func fingerprint(_ paths: [String]) -> [FileStamp?] {
        paths.map { path in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
            return FileStamp(
                modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0,
                size: (attributes[.size] as? NSNumber)?.int64Value ?? -1,
                inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0)
        }
    }

    struct FileStamp: Hashable {
        var modified: Double
        var size: Int64
        var inode: UInt64
    }
}

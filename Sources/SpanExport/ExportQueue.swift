import OTLPWire
import Synchronization

/// The bounded queue between the callers of ``SpanExporter/export(_:)`` (any thread, never
/// waiting) and the exporter's run loop (the only consumer, which sleeps on it).
///
/// Appending takes one short lock: a copy of the span's bytes into a ring allocated once
/// (``SpanByteRing``), two counter increments and, only when the run loop asked to be
/// woken at this depth, handing back its continuation to resume outside the lock.
final class ExportQueue: Sendable {
    typealias Instant = ContinuousClock.Instant

    private let state: Mutex<ExportQueueState>

    init(capacity: Int, byteCapacity: Int) {
        state = Mutex(ExportQueueState(capacity: capacity, byteCapacity: byteCapacity))
    }

    /// Queues a copy of `span`, dropping the oldest queued spans when full. Never waits.
    func append(_ span: EncodedSpan) {
        let wake = state.withLock { $0.append(span) }
        wake?.resume()
    }

    /// Moves up to `maxCount` spans, oldest first, to the end of `fields` as OTLP
    /// `ScopeSpans.spans` fields; returns how many. Copies a few dozen spans per lock, so
    /// an append never waits long.
    func take(upTo maxCount: Int, into fields: inout [UInt8]) -> Int {
        var taken = 0
        while taken < maxCount {
            let moved = state.withLock { $0.spans.take(upTo: min(64, maxCount - taken), into: &fields) }
            if moved == 0 { break }
            taken += moved
        }
        return taken
    }

    /// Spans queued now and the shutdown deadline, if shutdown was requested.
    var status: (queued: Int, shutdownDeadline: Instant?) {
        state.withLock { ($0.spans.count, $0.shutdownDeadline) }
    }

    /// Counters kept by the queue, written into `metrics`.
    func addCounters(to metrics: inout ExportMetrics) {
        state.withLock { state in
            metrics.spansEnqueued = state.enqueued
            metrics.spansDroppedQueueFull = state.droppedQueueFull
            metrics.spansDroppedAtShutdown += state.droppedAfterStop
            metrics.queueDepth = state.spans.count
        }
    }

    /// Records that shutdown was requested (the first deadline wins) and wakes the run loop.
    func requestShutdown(deadline: Instant) {
        let wake = state.withLock { $0.requestShutdown(deadline: deadline) }
        wake?.resume()
    }

    /// Empties the queue for good; later appends are counted as dropped. Returns how many
    /// spans were still queued.
    func stop() -> Int {
        state.withLock { $0.stop() }
    }

    /// Sleeps until the queue holds `wakeAtCount` spans, `deadline` passes, shutdown is
    /// requested (if `wakeOnShutdown`), or the task is cancelled — whichever comes first.
    func wait(wakeAtCount: Int, wakeOnShutdown: Bool, until deadline: Instant?) async {
        await withTaskGroup(of: Void.self) { group in
            if let deadline {
                group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            }
            group.addTask { await self.waitForSignal(wakeAtCount: wakeAtCount, wakeOnShutdown: wakeOnShutdown) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(wakeAtCount: Int, wakeOnShutdown: Bool) async {
        let id = state.withLock { $0.makeWaiterID() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock {
                    $0.park(id: id, continuation, wakeAtCount: wakeAtCount, wakeOnShutdown: wakeOnShutdown)
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let wake = state.withLock { $0.cancelWaiter(id: id) }
            wake?.resume()
        }
    }
}

/// The queue's state: pure, so its drop-oldest counting and wake-up rules are tested
/// without threads.
struct ExportQueueState: ~Copyable {
    typealias Instant = ContinuousClock.Instant

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, Never>
        var wakeAtCount: Int
        var wakeOnShutdown: Bool
    }

    var spans: SpanByteRing
    private(set) var enqueued = 0
    private(set) var droppedQueueFull = 0
    private(set) var droppedAfterStop = 0
    private(set) var shutdownDeadline: Instant?
    private(set) var stopped = false
    private var waiter: Waiter?
    private var lastWaiterID: UInt64 = 0
    private var cancelledWaiterID: UInt64?

    init(capacity: Int, byteCapacity: Int) {
        spans = SpanByteRing(capacity: capacity, byteCapacity: byteCapacity)
    }

    /// Queues `span`; returns the run loop's continuation when this append is what it
    /// waits for.
    mutating func append(_ span: EncodedSpan) -> CheckedContinuation<Void, Never>? {
        enqueued += 1
        guard !stopped else {
            droppedAfterStop += 1
            return nil
        }
        droppedQueueFull += spans.append(span)
        guard let waiter, spans.count >= waiter.wakeAtCount else { return nil }
        self.waiter = nil
        return waiter.continuation
    }

    mutating func requestShutdown(deadline: Instant) -> CheckedContinuation<Void, Never>? {
        if shutdownDeadline == nil { shutdownDeadline = deadline }
        guard let waiter, waiter.wakeOnShutdown else { return nil }
        self.waiter = nil
        return waiter.continuation
    }

    mutating func stop() -> Int {
        stopped = true
        return spans.removeAll()
    }

    mutating func makeWaiterID() -> UInt64 {
        lastWaiterID += 1
        return lastWaiterID
    }

    /// Stores the run loop's continuation; returns `true` when it must be resumed at once
    /// (the condition already holds, or the wait was cancelled before it parked).
    mutating func park(
        id: UInt64, _ continuation: CheckedContinuation<Void, Never>, wakeAtCount: Int, wakeOnShutdown: Bool
    ) -> Bool {
        if cancelledWaiterID == id || spans.count >= wakeAtCount || (wakeOnShutdown && shutdownDeadline != nil) {
            cancelledWaiterID = nil
            return true
        }
        waiter = Waiter(id: id, continuation: continuation, wakeAtCount: wakeAtCount, wakeOnShutdown: wakeOnShutdown)
        return false
    }

    mutating func cancelWaiter(id: UInt64) -> CheckedContinuation<Void, Never>? {
        guard let waiter, waiter.id == id else {
            cancelledWaiterID = id  // cancelled before parking (or already woken: harmless)
            return nil
        }
        self.waiter = nil
        return waiter.continuation
    }
}

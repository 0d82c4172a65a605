/// When to send a batch: the exporter's run loop asks this pure state machine what to do
/// next, given how many spans are queued and the time; it never reads a clock or does I/O.
///
/// Rules:
/// - a full batch (`maxBatchSize` spans) goes out at once;
/// - a partial batch goes out once the oldest span the loop has seen waiting is
///   `flushInterval` old;
/// - after ``shutdownRequested(deadline:)`` every queued span goes out immediately, in
///   batches, until the queue is empty or the deadline has passed; then the loop finishes.
struct ExportBatcherStateMachine: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// What the run loop does next.
    enum Action: Equatable, Sendable {
        /// Take up to `count` spans from the queue and send them as one batch.
        case export(count: Int)
        /// Sleep until the queue holds `wakeAtCount` spans, until `deadline` (if any), or
        /// until shutdown is requested, whichever comes first.
        case wait(wakeAtCount: Int, deadline: Instant?)
        /// Stop: the queue is drained or the shutdown deadline has passed.
        case finish
    }

    let maxBatchSize: Int
    let flushInterval: Duration

    private enum State: Sendable {
        /// Running; `pendingSince` is when the loop first saw the queue non-empty.
        case running(pendingSince: Instant?)
        /// Flushing everything before `deadline`.
        case draining(deadline: Instant)
        case finished
    }

    private var state: State = .running(pendingSince: nil)

    init(maxBatchSize: Int, flushInterval: Duration) {
        precondition(maxBatchSize > 0)
        self.maxBatchSize = maxBatchSize
        self.flushInterval = flushInterval
    }

    /// The shutdown flush deadline, once shutdown has been requested.
    var drainDeadline: Instant? {
        if case .draining(let deadline) = state { return deadline }
        return nil
    }

    /// Switches to draining; later calls keep the first deadline.
    mutating func shutdownRequested(deadline: Instant) {
        if case .running = state { state = .draining(deadline: deadline) }
    }

    /// The next step, with `queued` spans waiting at `now`.
    mutating func nextAction(queued: Int, now: Instant) -> Action {
        switch state {
        case .finished:
            return .finish
        case .draining(let deadline):
            guard queued > 0, now < deadline else {
                state = .finished
                return .finish
            }
            return .export(count: min(queued, maxBatchSize))
        case .running(let pendingSince):
            guard queued > 0 else {
                state = .running(pendingSince: nil)
                return .wait(wakeAtCount: 1, deadline: nil)
            }
            if queued >= maxBatchSize {
                state = .running(pendingSince: nil)
                return .export(count: maxBatchSize)
            }
            let since = pendingSince ?? now
            let due = since.advanced(by: flushInterval)
            if now >= due {
                state = .running(pendingSince: nil)
                return .export(count: queued)
            }
            state = .running(pendingSince: since)
            return .wait(wakeAtCount: maxBatchSize, deadline: due)
        }
    }
}

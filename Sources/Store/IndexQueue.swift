import Synchronization

/// The hand-off from the store's writer to its indexer, and how far the search index has
/// caught up with the committed write groups — so that a reader sees every batch
/// acknowledged before it began.
///
/// The writer reports each committed group's stored parts (`committed(_:)`) before it
/// acknowledges the group's batches. The indexer takes them all in one run when it is due:
/// `delay` after the oldest, at once when `maxSpans` wait, when a reader asks, or when the
/// queue closes. A reader that finds the index behind the groups committed before it
/// asks for a run and waits for it. The writer waits while `maxSpans × 4` spans wait to
/// be indexed, so an indexer that falls behind slows ingest (the write queue fills and
/// the collector answers 503) instead of holding ever more parts in memory.
final class IndexQueue: Sendable {
    /// What the indexer does next.
    enum Work {
        /// Index these parts (in chunk order); they complete the groups up to `through`.
        case run(PendingParts, through: Int)
        /// The queue is closed and everything committed is indexed.
        case finished
    }

    private struct State {
        var committed = 0
        var indexed = 0
        var parts = PendingParts()
        /// The group the waiting parts complete (with the run in flight, if none wait).
        var through = 0
        /// Whether the indexer is running.
        var running = false
        /// Whether the waiting parts' last run failed: only the delay brings the retry.
        var failing = false
        /// When the oldest waiting part was committed.
        var since: ContinuousClock.Instant?
        var requested = false
        var closed = false
        var indexer: CheckedContinuation<Void, Never>?
        var writer: CheckedContinuation<Void, Never>?
        var readers: [(through: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())
    private let maxSpans: Int
    private let delay: Duration

    init(maxSpans: Int, delay: Duration) {
        self.maxSpans = maxSpans
        self.delay = delay
    }

    private var backlogLimit: Int { maxSpans * 4 }

    // MARK: The writer

    /// A write group committed, storing `parts` (none if it held only duplicates).
    func committed(_ parts: [PendingPart]) {
        let (indexer, ready): (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) = state.withLock {
            state in
            state.committed += 1
            state.through = state.committed
            if parts.isEmpty && state.parts.isEmpty {
                // Nothing of it to index: the index covers it already, or will once the run
                // in flight commits.
                return (nil, state.running ? [] : Self.advance(&state, through: state.committed))
            }
            // The first waiting parts wake a parked indexer too, so that it sets its timer for
            // `delay` from now: without one an idle store's last parts waited for a reader.
            let first = state.since == nil
            if first { state.since = .now }
            state.parts.append(parts)
            return (first || state.parts.spanCount >= maxSpans || state.requested ? Self.take(&state.indexer) : nil, [])
        }
        indexer?.resume()
        for reader in ready { reader.resume() }
    }

    /// Returns when fewer than `maxSpans × 4` spans wait to be indexed (or the queue closed).
    func roomForMore() async {
        await withCheckedContinuation { (writer: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.parts.spanCount < backlogLimit || state.closed { return true }
                state.writer = writer
                return false
            }
            if resumeNow { writer.resume() }
        }
    }

    // MARK: The indexer

    /// The next run, waiting until one is due.
    func next() async -> Work {
        while true {
            enum Step { case work(Work), wait(ContinuousClock.Instant?) }
            let step: Step = state.withLock { state in
                guard !state.parts.isEmpty else { return state.closed ? .work(.finished) : .wait(nil) }
                if isDue(state) {
                    defer {
                        state.parts = PendingParts()
                        state.since = nil
                        state.requested = false
                        state.failing = false
                        state.running = true
                    }
                    return .work(.run(state.parts, through: state.through))
                }
                return .wait(state.since.map { $0 + delay })
            }
            switch step {
            case .work(let work): return work
            case .wait(let deadline):
                let timer = deadline.map { deadline in
                    Task { [weak self] in
                        // Cancelled when the run became due first.
                        guard (try? await Task.sleep(until: deadline)) != nil else { return }
                        self?.wakeIndexer(after: { _ in })
                    }
                }
                await withCheckedContinuation { (indexer: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        if state.closed || isDue(state) { return true }
                        state.indexer = indexer
                        return false
                    }
                    if resumeNow { indexer.resume() }
                }
                timer?.cancel()
            }
        }
    }

    /// Whether parts wait and their run is due: the oldest has waited `delay`, or — unless
    /// their last run failed — a reader asked, a run's worth waits or the queue closed.
    /// (With nothing waiting nothing is due, so a request made during a run does not wake
    /// the indexer again and again; nor does a failing run retry at once.)
    private func isDue(_ state: State) -> Bool {
        guard !state.parts.isEmpty else { return false }
        if state.since.map({ $0 + delay <= .now }) == true { return true }
        return !state.failing && (state.requested || state.closed || state.parts.spanCount >= maxSpans)
    }

    /// A run indexed the parts completing the groups up to `through`: waiting readers go on,
    /// and so does a writer waiting for room.
    func indexed(through: Int) {
        let (ready, writer) = state.withLock { state in
            state.running = false
            // Groups without parts committed during the run are covered too.
            let covered = state.parts.isEmpty ? max(through, state.through) : through
            let ready = Self.advance(&state, through: covered)
            if state.readers.isEmpty { state.requested = false }
            return (ready, Self.take(&state.writer))
        }
        for reader in ready { reader.resume() }
        writer?.resume()
    }

    /// A run failed (the indexer logged why): its parts wait again, before any newer ones,
    /// and are retried one `delay` from now; waiting readers go on with what is indexed
    /// rather than hang. Once the queue is closed nothing is retried, newer parts neither
    /// (a run past them would move the mark over their chunks): their chunks stay above the
    /// index file's mark, and the store indexes them when it next opens.
    func failed(_ parts: PendingParts) {
        let readers = state.withLock { state in
            if state.closed {
                state.parts = PendingParts()
            } else {
                state.parts.prepend(parts)
                state.since = .now
                state.failing = true
            }
            state.requested = false
            state.running = false
            defer { state.readers.removeAll() }
            return state.readers.map(\.continuation)
        }
        for reader in readers { reader.resume() }
    }

    // MARK: Readers

    /// Returns once every group committed before the call is indexed, asking the indexer
    /// to run now if one is not.
    func caughtUp() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (waiting, indexer): (Bool, CheckedContinuation<Void, Never>?) = state.withLock { state in
                guard state.indexed < state.committed else { return (false, nil) }
                state.readers.append((state.committed, continuation))
                state.requested = true
                return (true, Self.take(&state.indexer))
            }
            if !waiting { continuation.resume() }
            indexer?.resume()
        }
    }

    /// Closes the queue once the writer has stopped: the indexer indexes what waits, then finishes.
    func close() {
        wakeIndexer(after: { $0.closed = true })
    }

    private func wakeIndexer(after change: (inout State) -> Void) {
        let (indexer, writer) = state.withLock { state in
            change(&state)
            return (Self.take(&state.indexer), state.closed ? Self.take(&state.writer) : nil)
        }
        indexer?.resume()
        writer?.resume()
    }

    private static func advance(_ state: inout State, through: Int) -> [CheckedContinuation<Void, Never>] {
        state.indexed = max(state.indexed, through)
        let indexed = state.indexed
        defer { state.readers.removeAll { $0.through <= indexed } }
        return state.readers.filter { $0.through <= indexed }.map(\.continuation)
    }

    private static func take(_ waiter: inout CheckedContinuation<Void, Never>?) -> CheckedContinuation<Void, Never>? {
        defer { waiter = nil }
        return waiter
    }
}

/// Stored parts waiting for the indexer, in commit order, held as the writer's groups
/// handed them over. (Appending each group into one array copied every part into fresh
/// memory as the array grew: ~24k page faults per million demo spans, each costing
/// several µs on a VM.)
struct PendingParts: Sequence, Sendable {
    private var groups: [[PendingPart]] = []
    /// The spans the parts hold.
    private(set) var spanCount = 0

    var isEmpty: Bool { groups.isEmpty }

    mutating func append(_ parts: [PendingPart]) {
        guard !parts.isEmpty else { return }
        groups.append(parts)
        spanCount += parts.reduce(0) { $0 + $1.facts.aggregate.spanCount }
    }

    /// Puts `earlier` before the parts held.
    mutating func prepend(_ earlier: PendingParts) {
        groups = earlier.groups + groups
        spanCount += earlier.spanCount
    }

    func makeIterator() -> FlattenSequence<[[PendingPart]]>.Iterator {
        groups.joined().makeIterator()
    }
}

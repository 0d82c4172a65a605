import KeiroModel
import Synchronization

/// The bounded hand-off between request handlers and the single writer. Handlers never
/// wait for room: a full queue fails at once. The writer waits (suspends) for work: a
/// batch, or a request to bring the search index up to date (a reader waiting for it, or
/// the writer's own deadline).
final class WriteQueue: Sendable {
    struct Item: Sendable {
        var batch: PreparedBatch
        var spanCount: Int
        var continuation: CheckedContinuation<WriteOutcome, any Error>
    }

    private struct State {
        var items: [Item] = []
        var head = 0
        var queuedSpans = 0
        var writingSpans = 0
        var closed = false
        var indexRequested = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    /// What the writer does next.
    enum Work {
        /// Commit these batches.
        case batches([Item])
        /// Index what was committed and is not yet searchable.
        case index
        /// The queue is closed and drained.
        case finished
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Spans waiting for the writer.
    var queuedSpans: Int { state.withLock { $0.queuedSpans } }

    /// Spans taken by the writer and not yet reported `written(_:)`.
    var writingSpans: Int { state.withLock { $0.writingSpans } }

    /// Why a batch of `count` spans would be refused now, if it would: lets a caller skip
    /// preparing a batch the queue cannot take (`enqueue` decides again).
    func refusal(forSpans count: Int) -> StoreUnavailable? {
        state.withLock { refusal(forSpans: count, $0) }
    }

    private func refusal(forSpans count: Int, _ state: State) -> StoreUnavailable? {
        if state.closed { return StoreUnavailable(reason: .closed) }
        // A batch larger than the whole capacity is still admitted into an empty queue.
        if state.queuedSpans > 0 && state.queuedSpans + count > capacity { return StoreUnavailable(reason: .queueFull) }
        return nil
    }

    /// Enqueues a batch, or fails the continuation at once when full or closed.
    func enqueue(_ batch: PreparedBatch, continuation: CheckedContinuation<WriteOutcome, any Error>) {
        let count = batch.spanCount
        let (refusal, waiter): (StoreUnavailable?, CheckedContinuation<Void, Never>?) = state.withLock { state in
            if let refused = self.refusal(forSpans: count, state) { return (refused, nil) }
            state.items.append(Item(batch: batch, spanCount: count, continuation: continuation))
            state.queuedSpans += count
            defer { state.waiter = nil }
            return (nil, state.waiter)
        }
        if let refusal { continuation.resume(throwing: refusal) }
        waiter?.resume()
    }

    /// Takes up to `maxSpans` spans' worth of batches (at least one batch), waiting while the
    /// queue is empty. Waiting, it answers `.index` when one was requested or `indexBy` (the
    /// writer's deadline for what it has not indexed) passes; a closed queue answers
    /// `.index` once before `.finished` when `indexBy` is set.
    func next(maxSpans: Int, indexBy deadline: ContinuousClock.Instant?) async -> Work {
        while true {
            enum Step { case work(Work), wait }
            let step: Step = state.withLock { state in
                if state.head < state.items.count { return .work(.batches(take(maxSpans: maxSpans, &state))) }
                if state.indexRequested || deadline.map({ state.closed || $0 <= .now }) == true {
                    state.indexRequested = false
                    return .work(.index)
                }
                return state.closed ? .work(.finished) : .wait
            }
            switch step {
            case .work(let work): return work
            case .wait:
                let timer = deadline.map { deadline in
                    Task { [weak self] in
                        // Cancelled when work came first.
                        guard (try? await Task.sleep(until: deadline)) != nil else { return }
                        self?.requestIndex()
                    }
                }
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        if state.head < state.items.count || state.closed || state.indexRequested { return true }
                        state.waiter = waiter
                        return false
                    }
                    if resumeNow { waiter.resume() }
                }
                timer?.cancel()
            }
        }
    }

    private func take(maxSpans: Int, _ state: inout State) -> [Item] {
        var taken: [Item] = []
        var spans = 0
        while state.head < state.items.count {
            let item = state.items[state.head]
            if !taken.isEmpty && spans + item.spanCount > maxSpans { break }
            taken.append(item)
            spans += item.spanCount
            state.head += 1
        }
        state.queuedSpans -= spans
        state.writingSpans += spans
        // Release taken items: at once when drained, otherwise once they are half the
        // array, so a queue that never empties does not grow.
        if state.head == state.items.count {
            state.items.removeAll(keepingCapacity: true)
            state.head = 0
        } else if state.head * 2 >= state.items.count {
            state.items.removeFirst(state.head)
            state.head = 0
        }
        return taken
    }

    /// Asks the writer to index what it has committed: at once if it is waiting for work,
    /// otherwise after its current commit (`takeIndexRequest()`).
    func requestIndex() {
        wakeWriter(after: { $0.indexRequested = true })
    }

    /// Whether indexing was requested since the writer last indexed; clears the request.
    func takeIndexRequest() -> Bool {
        state.withLock { state in
            defer { state.indexRequested = false }
            return state.indexRequested
        }
    }

    /// The writer finished with spans it took from `next(maxSpans:)`.
    func written(_ spans: Int) {
        state.withLock { $0.writingSpans -= spans }
    }

    /// Refuses new batches; the writer drains what is queued and then stops.
    func close() {
        wakeWriter(after: { $0.closed = true })
    }

    /// Applies `change` and resumes the writer if it is waiting for work.
    private func wakeWriter(after change: (inout State) -> Void) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            change(&state)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}

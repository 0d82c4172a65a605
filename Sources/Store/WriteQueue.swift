import KeiroModel
import Synchronization

/// The bounded hand-off between request handlers and the single writer. Handlers never
/// wait for room: a full queue fails at once. The writer waits (suspends) for batches.
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
        var waiter: CheckedContinuation<Void, Never>?
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
    /// queue is empty; nil once the queue is closed and drained.
    func next(maxSpans: Int) async -> [Item]? {
        while true {
            enum Step { case batches([Item]), finished, wait }
            let step: Step = state.withLock { state in
                if state.head < state.items.count { return .batches(take(maxSpans: maxSpans, &state)) }
                return state.closed ? .finished : .wait
            }
            switch step {
            case .batches(let items): return items
            case .finished: return nil
            case .wait:
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        if state.head < state.items.count || state.closed { return true }
                        state.waiter = waiter
                        return false
                    }
                    if resumeNow { waiter.resume() }
                }
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

    /// The writer finished with spans it took from `next(maxSpans:)`.
    func written(_ spans: Int) {
        state.withLock { $0.writingSpans -= spans }
    }

    /// Refuses new batches; the writer drains what is queued and then stops.
    func close() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}

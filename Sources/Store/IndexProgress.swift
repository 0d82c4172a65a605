import Synchronization

/// How far the search index has caught up with the committed write groups, so that a
/// reader sees every batch acknowledged before it began: the writer counts the groups it
/// commits and those it has indexed, and a reader that finds the index behind waits for it
/// (and asks the writer to index now).
final class IndexProgress: Sendable {
    private struct State {
        var committed = 0
        var indexed = 0
        var waiters: [(through: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// Groups committed so far.
    var committed: Int { state.withLock { $0.committed } }

    /// A write group was committed (its batches are about to be acknowledged).
    func committedGroup() {
        state.withLock { $0.committed += 1 }
    }

    /// The index covers every group up to `through`; readers waiting for them go on.
    func indexed(through: Int) {
        let ready = state.withLock { state in
            state.indexed = max(state.indexed, through)
            let ready = state.waiters.filter { $0.through <= through }
            state.waiters.removeAll { $0.through <= through }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Indexing failed (the writer logged why and will retry): waiting readers go on with
    /// what is indexed rather than hang.
    func releaseWaiters() {
        let waiting = state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiting { waiter.continuation.resume() }
    }

    /// Returns once every group committed before the call is indexed; if one is not,
    /// calls `request` (to wake the writer) and waits.
    func caughtUp(request: () -> Void) async {
        let (target, indexed) = state.withLock { ($0.committed, $0.indexed) }
        if indexed >= target { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiting = state.withLock { state in
                guard state.indexed < target else { return false }
                state.waiters.append((target, continuation))
                return true
            }
            if waiting { request() } else { continuation.resume() }
        }
    }
}

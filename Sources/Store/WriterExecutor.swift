import Dispatch

/// A thread of the store's own: a `TaskExecutor` on a serial dispatch queue, for the writer
/// loop and for the indexer loop.
///
/// On Swift's global pool (one thread per core) the writer resumed after every commit only
/// once a thread was free, behind request tasks that prepare a batch for milliseconds
/// without yielding; under load that wait was longer than the writer's own work, and the
/// single writer is what ingest waits on. With this executor preferred, a loop resumes on
/// its own thread and may block it on SQLite without holding up a global-pool thread.
final class WriterExecutor: TaskExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

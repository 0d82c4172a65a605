import NIOCore

/// A Swift `TaskExecutor` that runs jobs on one NIO event loop.
///
/// A task that prefers it (`withTaskExecutorPreference`) — and every child task it starts —
/// resumes on that loop after each `await`, instead of on Swift's global pool: a proxied
/// request whose socket reads, upstream client and response writes are all on this loop
/// never wakes another thread (swift-nio 2.101 has no `TaskExecutor` conformance of its own).
final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

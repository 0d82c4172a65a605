/// The result of one export request, as the retry state machine sees it.
enum ExportAttemptOutcome: Equatable, Sendable {
    /// 2xx; `rejectedSpans` from the response's `partial_success` (0 when absent).
    case accepted(rejectedSpans: Int)
    /// Any other HTTP status, with `Retry-After` when the collector sent one in seconds.
    case status(Int, retryAfter: Duration?)
    /// The collector could not be reached or did not answer in time (connection refused or
    /// reset, deadline exceeded).
    case transportFailed(String)
}

/// Retrying one batch: after each request, the state machine decides — purely, from the
/// outcome, the time and a random draw — whether the batch is done, is tried again (and
/// when), or is dropped.
struct ExportAttemptStateMachine: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// Why a batch was given up.
    enum DropReason: Equatable, Sendable {
        /// The collector refused the batch with a status that retrying will not change.
        case rejectedByCollector(status: Int)
        /// ``ExportRetryPolicy/maxAttempts`` requests failed.
        case attemptsExhausted
        /// The next attempt would start after the retry budget or the shutdown deadline.
        case outOfTime
    }

    /// What to do after a request.
    enum Decision: Equatable, Sendable {
        /// Done: the collector took the batch (`rejectedSpans` of it refused individually).
        case exported(rejectedSpans: Int)
        /// Send the same batch again at `at`.
        case retry(at: Instant)
        /// Give the batch up.
        case drop(DropReason)
    }

    let policy: ExportRetryPolicy
    let startedAt: Instant
    /// Requests made so far.
    private(set) var attempts = 0

    init(policy: ExportRetryPolicy, startedAt: Instant) {
        self.policy = policy
        self.startedAt = startedAt
    }

    /// Records the outcome of a request that ended at `now`. `deadline` is the shutdown
    /// flush deadline, if shutting down; `random` in `0..<1` draws the jitter.
    mutating func attemptFinished(
        _ outcome: ExportAttemptOutcome, now: Instant, deadline: Instant? = nil, random: Double
    ) -> Decision {
        attempts += 1
        let retryAfter: Duration?
        switch outcome {
        case .accepted(let rejected):
            return .exported(rejectedSpans: rejected)
        case .status(let status, let after):
            guard ExportRetryPolicy.isRetryable(status: status) else {
                return .drop(.rejectedByCollector(status: status))
            }
            retryAfter = after
        case .transportFailed:
            retryAfter = nil
        }
        guard attempts < policy.maxAttempts else { return .drop(.attemptsExhausted) }
        let wait = retryAfter ?? policy.backoff(afterAttempt: attempts, random: random)
        let next = now.advanced(by: wait)
        guard next <= startedAt.advanced(by: policy.maxElapsed) else { return .drop(.outOfTime) }
        if let deadline, next >= deadline { return .drop(.outOfTime) }
        return .retry(at: next)
    }

    /// Re-checks a retry scheduled for `at` once shutdown was requested with `deadline`
    /// during its wait: it is kept only if it starts before the deadline.
    func shutdownRequested(retryAt at: Instant, deadline: Instant) -> Decision {
        at < deadline ? .retry(at: at) : .drop(.outOfTime)
    }
}

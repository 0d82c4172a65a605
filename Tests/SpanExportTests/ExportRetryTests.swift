import Testing

@testable import SpanExport

@Suite struct ExportRetryTests {
    let t0 = ContinuousClock.now
    let policy = ExportRetryPolicy()  // 5 attempts, 500 ms doubling to 5 s, ±20 %, 30 s budget

    @Test(arguments: [429, 502, 503, 504])
    func retryableStatusesAreRetriedAfterTheBackoff(status: Int) {
        var retry = ExportAttemptStateMachine(policy: policy, startedAt: t0)
        let decision = retry.attemptFinished(.status(status, retryAfter: nil), now: t0, random: 0.5)
        #expect(decision == .retry(at: t0 + .milliseconds(500)))
    }

    @Test(arguments: [400, 401, 403, 404, 405, 413, 415, 500, 501])
    func otherStatusesDropTheBatchAtOnce(status: Int) {
        var retry = ExportAttemptStateMachine(policy: policy, startedAt: t0)
        let decision = retry.attemptFinished(.status(status, retryAfter: .seconds(1)), now: t0, random: 0.5)
        #expect(decision == .drop(.rejectedByCollector(status: status)))
    }

    @Test func connectionFailuresAreRetried() {
        var retry = ExportAttemptStateMachine(policy: policy, startedAt: t0)
        #expect(retry.attemptFinished(.transportFailed("connection refused"), now: t0, random: 0.5) == .retry(at: t0 + .milliseconds(500)))
    }

    @Test func successEndsTheBatchAndCarriesPartialRejections() {
        var retry = ExportAttemptStateMachine(policy: policy, startedAt: t0)
        #expect(retry.attemptFinished(.accepted(rejectedSpans: 0), now: t0, random: 0.5) == .exported(rejectedSpans: 0))
        var partial = ExportAttemptStateMachine(policy: policy, startedAt: t0)
        #expect(partial.attemptFinished(.accepted(rejectedSpans: 3), now: t0, random: 0.5) == .exported(rejectedSpans: 3))
    }

    @Test func retryAfterSetsTheWaitExactly() {
        var retry = ExportAttemptStateMachine(policy: policy, startedAt: t0)
        let now = t0 + .milliseconds(30)
        // 7 s is beyond maxBackoff (5 s) but within the 30 s budget: honoured as given, no jitter.
        #expect(retry.attemptFinished(.status(503, retryAfter: .seconds(7)), now: now, random: 0.99) == .retry(at: now + .seconds(7)))
        #expect(retry.attemptFinished(.status(429, retryAfter: .zero), now: now, random: 0.99) == .retry(at: now))
    }

    @Test func retryAfterBeyondTheBudgetDropsTheBatch() {
        var retry = ExportAttemptStateMachine(policy: policy, startedAt: t0)
        #expect(retry.attemptFinished(.status(503, retryAfter: .seconds(31)), now: t0, random: 0.5) == .drop(.outOfTime))
    }

    @Test func backoffGrowsExponentiallyWithJitterAndCap() {
        #expect(policy.backoff(afterAttempt: 1, random: 0.5) == .milliseconds(500))
        #expect(policy.backoff(afterAttempt: 2, random: 0.5) == .seconds(1))
        #expect(policy.backoff(afterAttempt: 3, random: 0.5) == .seconds(2))
        #expect(policy.backoff(afterAttempt: 4, random: 0.5) == .seconds(4))
        #expect(policy.backoff(afterAttempt: 5, random: 0.5) == .seconds(5))  // capped
        #expect(policy.backoff(afterAttempt: 60, random: 0.5) == .seconds(5))
        #expect(policy.backoff(afterAttempt: 1, random: 0) == .milliseconds(400))  // −20 %
        #expect(policy.backoff(afterAttempt: 1, random: 1) == .milliseconds(600))  // +20 %
        let noJitter = ExportRetryPolicy(jitter: 0)
        #expect(noJitter.backoff(afterAttempt: 2, random: 0) == .seconds(1))
    }

    @Test func givesUpAfterMaxAttempts() {
        var retry = ExportAttemptStateMachine(policy: ExportRetryPolicy(maxAttempts: 3), startedAt: t0)
        var now = t0
        for _ in 0..<2 {
            guard case .retry(let at) = retry.attemptFinished(.status(503, retryAfter: nil), now: now, random: 0.5) else {
                Issue.record("expected a retry")
                return
            }
            now = at
        }
        #expect(retry.attemptFinished(.status(503, retryAfter: nil), now: now, random: 0.5) == .drop(.attemptsExhausted))
        #expect(retry.attempts == 3)
    }

    @Test func oneAttemptMeansNoRetries() {
        var retry = ExportAttemptStateMachine(policy: ExportRetryPolicy(maxAttempts: 1), startedAt: t0)
        #expect(retry.attemptFinished(.transportFailed("reset"), now: t0, random: 0.5) == .drop(.attemptsExhausted))
    }

    @Test func givesUpWhenTheNextAttemptWouldStartAfterTheBudget() {
        var retry = ExportAttemptStateMachine(policy: ExportRetryPolicy(maxElapsed: .seconds(2)), startedAt: t0)
        // A slow failing request used most of the budget.
        #expect(retry.attemptFinished(.status(504, retryAfter: nil), now: t0 + .milliseconds(1_800), random: 0.5) == .drop(.outOfTime))
    }

    @Test func shutdownDeadlineBoundsRetries() {
        var retry = ExportAttemptStateMachine(policy: policy, startedAt: t0)
        let deadline = t0 + .seconds(1)
        #expect(retry.attemptFinished(.status(503, retryAfter: .seconds(2)), now: t0, deadline: deadline, random: 0.5) == .drop(.outOfTime))
        var fresh = ExportAttemptStateMachine(policy: policy, startedAt: t0)
        #expect(fresh.attemptFinished(.status(503, retryAfter: nil), now: t0, deadline: deadline, random: 0.5) == .retry(at: t0 + .milliseconds(500)))
        // The second back-off (1 s) would end at the deadline.
        #expect(fresh.attemptFinished(.status(503, retryAfter: nil), now: t0, deadline: deadline, random: 0.5) == .drop(.outOfTime))
        // Shutdown requested while waiting for a retry: kept only if it starts before the deadline.
        #expect(retry.shutdownRequested(retryAt: t0 + .seconds(3), deadline: deadline) == .drop(.outOfTime))
        #expect(retry.shutdownRequested(retryAt: t0 + .milliseconds(100), deadline: deadline) == .retry(at: t0 + .milliseconds(100)))
    }

    @Test(arguments: [
        ("5", Duration?.some(.seconds(5))), (" 0 ", .some(.zero)), ("120", .some(.seconds(120))),
        ("-1", nil), ("soon", nil), ("", nil), ("Wed, 21 Oct 2015 07:28:00 GMT", nil), ("1.5", nil),
    ])
    func retryAfterHeaderParsesDelaySeconds(header: String, expected: Duration?) {
        #expect(ExportRetryPolicy.retryAfter(header) == expected)
    }

    @Test func missingRetryAfterHeaderParsesAsNil() {
        #expect(ExportRetryPolicy.retryAfter(nil) == nil)
    }
}

/// Why a try is (or would have been) retried: the `retryOn` condition and the outcome it matched.
public struct RetryReason: Sendable, Hashable, CustomStringConvertible {
    /// The single condition that matched (e.g. `.fiveXX`).
    public var condition: RetryOn
    /// What happened to the try.
    public var outcome: AttemptOutcome

    /// Creates a reason.
    public init(condition: RetryOn, outcome: AttemptOutcome) {
        self.condition = condition
        self.outcome = outcome
    }

    /// The `retryOn` token of the condition (`5xx`, `connect-failure`, …).
    public var token: String { condition.tokenNames.first ?? "" }

    /// e.g. `503 (retryOn 5xx)`; the value of the `keiro.retry.reason` span attribute.
    public var description: String { "\(outcome) (retryOn \(token))" }
}

/// The decision after a try ended.
public enum RetryDecision: Sendable, Hashable {
    /// Relay this upstream response. `flags` holds `URX` when it was retriable but the
    /// retry limit was reached (`exhausted` then says why it would have been retried).
    case returnResponse(status: Int, attempt: Int, flags: [ResponseFlag], exhausted: RetryReason?)
    /// Wait `after`, then start try number `attempt` (the `x-envoy-attempt-count` value).
    case retry(after: Duration, attempt: Int, reason: RetryReason)
    /// Stop and send this local reply.
    case giveUp(LocalReply)
}

/// What ``RetryStateMachine/startAttempt(at:)`` answers.
public enum AttemptStart: Sendable, Hashable {
    /// Send try number `number`; report `.timedOut` if no response by `deadline`.
    case attempt(number: Int, deadline: Duration?, deadlineKind: TimeoutKind?)
    /// The route timeout has already passed.
    case giveUp(LocalReply)
}

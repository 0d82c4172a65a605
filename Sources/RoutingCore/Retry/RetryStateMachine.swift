/// Envoy's router retry and timeout logic as a pure state machine. No clocks, no timers:
/// every call passes `now` (time since the request started) and the random source, and
/// gets back what to do. The proxy arms the deadlines it is given and reports outcomes.
///
/// ```
/// var machine = RetryStateMachine(policy: route.retries, routeTimeout: route.timeout)
/// loop: switch machine.startAttempt(at: now) {
///   case .attempt(let n, let deadline, _): send try n, wait for response or deadline
///   case .giveUp(let reply): send reply
/// }
/// then machine.attemptEnded(outcome, at: now, using: &rng) → returnResponse / retry / giveUp
/// ```
///
/// Semantics (Istio/Envoy): at most `1 + attempts` tries; the route timeout covers every
/// try and back-off; the per-try timeout applies to every try, the first included, and is
/// cut short by the route timeout; a timed-out try is retried only with `5xx`,
/// `gateway-error` or `reset`; when the route timeout fires the reply is 504
/// `upstream request timeout` with `UT`; retriable outcomes past the retry limit get `URX`.
public struct RetryStateMachine: Sendable {
    private enum Phase: Sendable {
        case ready
        case inFlight(deadline: Duration?, kind: TimeoutKind?)
        case finished
    }

    /// The retry policy in force.
    public let policy: RetryPolicy
    /// The route timeout (deadline measured from the request start), nil when disabled.
    public let routeTimeout: Duration?
    /// Number of tries started so far (the current `x-envoy-attempt-count`).
    public private(set) var attempt = 0
    private var backoff: Backoff
    private var phase = Phase.ready

    /// Starts the machine for one request.
    public init(policy: RetryPolicy, routeTimeout: Duration?) {
        self.policy = policy
        self.routeTimeout = routeTimeout
        backoff = Backoff(policy.backoff)
    }

    /// Starts the next try at `now`: its number and the deadline to enforce (the earlier of
    /// the per-try deadline and the route deadline, and which of the two it is).
    public mutating func startAttempt(at now: Duration) -> AttemptStart {
        guard case .ready = phase else { preconditionFailure("startAttempt called while \(phase)") }
        if let routeTimeout, now >= routeTimeout {
            phase = .finished
            return .giveUp(timeoutReply(.overall, flags: [.upstreamRequestTimeout], at: routeTimeout))
        }
        attempt += 1
        var deadline = routeTimeout
        var kind: TimeoutKind? = routeTimeout == nil ? nil : .overall
        if let perTry = policy.perTryTimeout, deadline.map({ now + perTry < $0 }) ?? true {
            deadline = now + perTry
            kind = .perTry
        }
        phase = .inFlight(deadline: deadline, kind: kind)
        return .attempt(number: attempt, deadline: deadline, deadlineKind: kind)
    }

    /// Decides what follows a try that ended with `outcome` at `now`. Back-off draws use
    /// `random`.
    public mutating func attemptEnded(
        _ outcome: AttemptOutcome,
        at now: Duration,
        using random: inout some RandomNumberGenerator
    ) -> RetryDecision {
        guard case .inFlight(_, let deadlineKind) = phase else {
            preconditionFailure("attemptEnded called while \(phase)")
        }
        phase = .finished
        if case .timedOut = outcome, let routeTimeout, now >= routeTimeout || deadlineKind == .overall {
            return .giveUp(timeoutReply(.overall, flags: [.upstreamRequestTimeout], at: now))
        }
        guard let condition = policy.retryCondition(for: outcome) else {
            return finalDecision(outcome, at: now, exhausted: nil)
        }
        let reason = RetryReason(condition: condition, outcome: outcome)
        guard attempt <= policy.attempts else {
            return finalDecision(outcome, at: now, exhausted: reason)
        }
        let delay = backoff.next(using: &random)
        if let routeTimeout, now + delay >= routeTimeout {
            return .giveUp(timeoutReply(.overall, flags: [.upstreamRequestTimeout], at: routeTimeout))
        }
        phase = .ready
        return .retry(after: delay, attempt: attempt + 1, reason: reason)
    }

    /// The answer when no retry follows `outcome`.
    private func finalDecision(_ outcome: AttemptOutcome, at now: Duration, exhausted: RetryReason?) -> RetryDecision {
        let limit: [ResponseFlag] = exhausted == nil ? [] : [.upstreamRetryLimitExceeded]
        switch outcome {
        case .response(let status, _, _):
            return .returnResponse(status: status, attempt: attempt, flags: limit, exhausted: exhausted)
        case .timedOut:
            return .giveUp(timeoutReply(.perTry, flags: [.upstreamRequestTimeout] + limit, at: now))
        case .connectFailure:
            return .giveUp(resetReply("connection failure", flag: .upstreamConnectionFailure, limit, at: now))
        case .reset:
            return .giveUp(resetReply("remote reset", flag: .upstreamRemoteReset, limit, at: now))
        case .refusedStream:
            return .giveUp(resetReply("remote refused stream reset", flag: .upstreamRemoteReset, limit, at: now))
        }
    }

    private func timeoutReply(_ kind: TimeoutKind, flags: [ResponseFlag], at time: Duration) -> LocalReply {
        LocalReply(
            status: 504, body: "upstream request timeout", flags: flags,
            details: kind == .perTry ? "upstream_per_try_timeout" : "upstream_response_timeout",
            attempt: attempt, timeout: kind, at: time
        )
    }

    private func resetReply(_ reason: String, flag: ResponseFlag, _ limit: [ResponseFlag], at time: Duration) -> LocalReply {
        LocalReply(
            status: 503,
            body: "upstream connect error or disconnect/reset before headers. reset reason: \(reason)",
            flags: [flag] + limit,
            details: "upstream_reset_before_response_started{\(reason.replacingSpaces)}",
            attempt: attempt, at: time
        )
    }
}

extension String {
    fileprivate var replacingSpaces: String { String(map { $0 == " " ? "_" : $0 }) }
}

/// When and how often a route retries, and the per-try timeout (Istio `HTTPRetry`).
public struct RetryPolicy: Sendable, Hashable {
    /// Number of **retries** (not tries): at most `1 + attempts` requests. 0 disables retries.
    public var attempts: Int
    /// Deadline of every try, the first included; nil for none (only the route timeout).
    public var perTryTimeout: Duration?
    /// The conditions that make an attempt retriable.
    public var retryOn: RetryOn
    /// Status codes retried by `retriable-status-codes` (numeric `retryOn` tokens), sorted.
    public var retriableStatusCodes: [Int]
    /// Back-off between retries (Envoy's default: 25 ms base, 250 ms cap).
    public var backoff: Backoff.Policy

    /// Creates a policy.
    public init(
        attempts: Int,
        perTryTimeout: Duration? = nil,
        retryOn: RetryOn,
        retriableStatusCodes: [Int] = [],
        backoff: Backoff.Policy = .envoyDefault
    ) {
        self.attempts = attempts
        self.perTryTimeout = perTryTimeout
        self.retryOn = retryOn
        self.retriableStatusCodes = Array(Set(retriableStatusCodes)).sorted()
        self.backoff = backoff
    }

    /// No retries (`attempts: 0`, and the ALB-like edge, which never retries).
    public static let disabled = RetryPolicy(attempts: 0, retryOn: [])

    /// What Istio (≥ 1.24) programs when a route sets no `retries`: 2 retries on
    /// `connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes` with
    /// status 503, no per-try timeout.
    public static let istioDefault = RetryPolicy(
        attempts: 2,
        retryOn: [.connectFailure, .refusedStream, .unavailable, .cancelled, .retriableStatusCodes],
        retriableStatusCodes: [503]
    )

    /// `retryOn` written the way Istio accepts it (`5xx,connect-failure,503`).
    public var retryOnDescription: String {
        (retryOn.tokenNames + retriableStatusCodes.map(String.init)).joined(separator: ",")
    }

    /// The condition that makes `outcome` retriable under this policy (the retry reason),
    /// or nil when the outcome is final. Does not look at attempts left or time.
    public func retryCondition(for outcome: AttemptOutcome) -> RetryOn? {
        switch outcome {
        case .connectFailure:
            return first(of: [.fiveXX, .gatewayError, .reset, .connectFailure, .resetBeforeRequest])
        case .refusedStream:
            return first(of: [.fiveXX, .gatewayError, .reset, .refusedStream, .resetBeforeRequest])
        case .reset, .timedOut:
            return first(of: [.fiveXX, .gatewayError, .reset])
        case .response(let status, let grpcStatus, let rateLimited):
            if status >= 500, status <= 599, retryOn.contains(.fiveXX) { return .fiveXX }
            if [502, 503, 504].contains(status), retryOn.contains(.gatewayError) { return .gatewayError }
            if status == 409, retryOn.contains(.retriable4xx) { return .retriable4xx }
            if retryOn.contains(.retriableStatusCodes), retriableStatusCodes.contains(status) {
                return .retriableStatusCodes
            }
            if rateLimited, retryOn.contains(.envoyRateLimited) { return .envoyRateLimited }
            if let grpcStatus {
                return RetryOn.grpcStatuses.first { $0.status == grpcStatus && retryOn.contains($0.condition) }?.condition
            }
            return nil
        }
    }

    private func first(of conditions: [RetryOn]) -> RetryOn? {
        conditions.first { retryOn.contains($0) }
    }
}

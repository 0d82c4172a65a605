/// How one try to the upstream ended, as the proxy observed it.
public enum AttemptOutcome: Sendable, Hashable, CustomStringConvertible {
    /// Response headers arrived. `grpcStatus` from `grpc-status` when present;
    /// `rateLimited` when the response carries `x-envoy-ratelimited`.
    case response(status: Int, grpcStatus: Int? = nil, rateLimited: Bool = false)
    /// The TCP connection could not be established.
    case connectFailure
    /// The connection or stream was reset after the request was sent, before a response.
    case reset
    /// HTTP/2 `REFUSED_STREAM`: the upstream did not process the request.
    case refusedStream
    /// The deadline returned by ``RetryStateMachine/startAttempt(at:)`` passed without a
    /// response. The state machine works out whether that was the per-try or route timeout.
    case timedOut

    /// Short form used in retry reasons: `503`, `connect-failure`, `reset`, …
    public var description: String {
        switch self {
        case .response(let status, let grpcStatus, _): grpcStatus.map { "\(status) grpc-status \($0)" } ?? "\(status)"
        case .connectFailure: "connect-failure"
        case .reset: "reset"
        case .refusedStream: "refused-stream"
        case .timedOut: "per-try-timeout"
        }
    }
}

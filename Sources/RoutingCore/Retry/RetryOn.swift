/// The set of Envoy retry conditions (`x-envoy-retry-on` and `x-envoy-retry-grpc-on`
/// tokens) that Istio's `retries.retryOn` accepts.
public struct RetryOn: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Any 5xx response, or no response at all (connect failure, reset, refused stream,
    /// per-try timeout).
    public static let fiveXX = RetryOn(rawValue: 1 << 0)
    /// 502, 503 or 504 responses, and like `5xx` no response at all.
    public static let gatewayError = RetryOn(rawValue: 1 << 1)
    /// Disconnect, reset or read (per-try) timeout before a response.
    public static let reset = RetryOn(rawValue: 1 << 2)
    /// A reset before the request reached the upstream (connect failure, refused stream).
    public static let resetBeforeRequest = RetryOn(rawValue: 1 << 3)
    /// TCP connect failure.
    public static let connectFailure = RetryOn(rawValue: 1 << 4)
    /// 409 responses.
    public static let retriable4xx = RetryOn(rawValue: 1 << 5)
    /// HTTP/2 `REFUSED_STREAM`.
    public static let refusedStream = RetryOn(rawValue: 1 << 6)
    /// Responses whose status is in ``RetryPolicy/retriableStatusCodes``.
    public static let retriableStatusCodes = RetryOn(rawValue: 1 << 7)
    /// Responses with headers listed in Envoy's `retriable_headers` — Istio has no field
    /// for that list, so this token is accepted but never triggers.
    public static let retriableHeaders = RetryOn(rawValue: 1 << 8)
    /// Responses carrying `x-envoy-ratelimited`.
    public static let envoyRateLimited = RetryOn(rawValue: 1 << 9)
    /// HTTP/3 failures after connect — Keiro speaks HTTP/1.1 and 2, so it never triggers.
    public static let http3PostConnectFailure = RetryOn(rawValue: 1 << 10)
    /// gRPC status CANCELLED (1).
    public static let cancelled = RetryOn(rawValue: 1 << 11)
    /// gRPC status DEADLINE_EXCEEDED (4).
    public static let deadlineExceeded = RetryOn(rawValue: 1 << 12)
    /// gRPC status INTERNAL (13).
    public static let `internal` = RetryOn(rawValue: 1 << 13)
    /// gRPC status RESOURCE_EXHAUSTED (8).
    public static let resourceExhausted = RetryOn(rawValue: 1 << 14)
    /// gRPC status UNAVAILABLE (14).
    public static let unavailable = RetryOn(rawValue: 1 << 15)

    /// Every token with its condition, in Envoy's documentation order.
    public static let tokens: [(token: String, condition: RetryOn)] = [
        ("5xx", .fiveXX), ("gateway-error", .gatewayError), ("reset", .reset),
        ("reset-before-request", .resetBeforeRequest), ("connect-failure", .connectFailure),
        ("retriable-4xx", .retriable4xx), ("refused-stream", .refusedStream),
        ("retriable-status-codes", .retriableStatusCodes), ("retriable-headers", .retriableHeaders),
        ("envoy-ratelimited", .envoyRateLimited), ("http3-post-connect-failure", .http3PostConnectFailure),
        ("cancelled", .cancelled), ("deadline-exceeded", .deadlineExceeded), ("internal", .internal),
        ("resource-exhausted", .resourceExhausted), ("unavailable", .unavailable),
    ]

    /// The condition a single token names, or nil.
    public static func condition(named token: String) -> RetryOn? {
        tokens.first { $0.token == token }?.condition
    }

    /// The token names of the conditions in this set, in documentation order.
    public var tokenNames: [String] {
        Self.tokens.filter { contains($0.condition) }.map(\.token)
    }

    /// The gRPC status code each gRPC condition retries.
    static let grpcStatuses: [(condition: RetryOn, status: Int)] = [
        (.cancelled, 1), (.deadlineExceeded, 4), (.resourceExhausted, 8), (.internal, 13), (.unavailable, 14),
    ]
}

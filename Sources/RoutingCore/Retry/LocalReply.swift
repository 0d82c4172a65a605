/// Envoy response flags (`%RESPONSE_FLAGS%`) that routing decisions produce.
public struct ResponseFlag: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Upstream request timeout (route or per-try timeout fired): local 504.
    public static let upstreamRequestTimeout = ResponseFlag(rawValue: "UT")
    /// Upstream retry limit exceeded.
    public static let upstreamRetryLimitExceeded = ResponseFlag(rawValue: "URX")
    /// Upstream connection failure: local 503.
    public static let upstreamConnectionFailure = ResponseFlag(rawValue: "UF")
    /// Upstream remote reset: local 503.
    public static let upstreamRemoteReset = ResponseFlag(rawValue: "UR")
    /// No route configured for the request: local 404.
    public static let noRouteFound = ResponseFlag(rawValue: "NR")
}

/// Which timeout ended an attempt or the request.
public enum TimeoutKind: String, Sendable, Hashable {
    /// `retries.perTryTimeout` for one try.
    case perTry = "per_try"
    /// The route `timeout`, covering all tries and back-off.
    case overall
}

/// A response the proxy generates itself instead of relaying one from upstream.
public struct LocalReply: Sendable, Hashable {
    /// HTTP status (504, 503, 404).
    public var status: Int
    /// Body text, Envoy's wording (`upstream request timeout`).
    public var body: String
    /// Response flags for access logs and spans (`UT`, `UF,URX`, …).
    public var flags: [ResponseFlag]
    /// Envoy `%RESPONSE_CODE_DETAILS%` (`upstream_per_try_timeout`, `route_not_found`, …).
    public var details: String
    /// The attempt number of the last try (0 when none was made).
    public var attempt: Int
    /// The timeout that fired, if a timeout ended the request.
    public var timeout: TimeoutKind?
    /// When to send it, measured from the start of the request (a route timeout that fires
    /// during back-off replies at the deadline, not when the back-off was decided).
    public var at: Duration

    /// Creates a local reply.
    public init(
        status: Int, body: String, flags: [ResponseFlag], details: String,
        attempt: Int, timeout: TimeoutKind? = nil, at: Duration
    ) {
        self.status = status
        self.body = body
        self.flags = flags
        self.details = details
        self.attempt = attempt
        self.timeout = timeout
        self.at = at
    }

    /// `UF,URX` as in access logs.
    public var flagsDescription: String { flags.map(\.rawValue).joined(separator: ",") }
}

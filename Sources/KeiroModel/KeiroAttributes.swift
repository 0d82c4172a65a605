/// Keiro's own span attribute keys, written by the proxies (OpenTelemetry's HTTP ones are
/// in ``SemanticAttributes``) and read back by the analyzer.
public enum KeiroAttributes {
    /// The matched route's `name`.
    public static let routeName = "keiro.route.name"
    /// The chosen destination: a VirtualService host or a target group name.
    public static let destinationHost = "keiro.destination.host"
    /// The chosen destination's subset (`canary`, `v2`, …), when it has one.
    public static let destinationSubset = "keiro.destination.subset"
    /// The `host:port` a try was sent to.
    public static let destinationAddress = "keiro.destination.address"
    /// Why this destination: `weight` (weighted draw), `header` (a header match chose the
    /// route), `sticky` (stickiness key hash), `single` (the route's only destination).
    public static let routingDecision = "keiro.routing.decision"
    /// On the CLIENT span of a try that was retried: why (`503 (retryOn 5xx)`, …).
    public static let retryReason = "keiro.retry.reason"
    /// On the CLIENT span of a retry: the back-off waited before it, in milliseconds.
    public static let backoffWaitedMs = "keiro.retry.backoff_ms"
    /// The timeout that fired: `per_try` or `overall`.
    public static let timeout = "keiro.timeout"
    /// Envoy response flags, comma separated (`UT`, `UF,URX`, …).
    public static let responseFlags = "keiro.response_flags"
    /// Envoy `%RESPONSE_CODE_DETAILS%` of a local reply (`upstream_per_try_timeout`, …).
    public static let responseDetails = "keiro.response_code_details"
    /// The request's `x-request-id`.
    public static let requestID = "keiro.request_id"
    /// On the SERVER span: how many tries were made.
    public static let attempts = "keiro.attempts"
    /// On the SERVER span: retries were configured but the body could not be replayed.
    public static let retriesDisabled = "keiro.retry.disabled"
}

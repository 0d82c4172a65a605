/// Attribute keys Keiro reads and writes, from the OpenTelemetry semantic conventions
/// where one exists, under `keiro.` otherwise.
public enum SemanticAttributes {
    public static let serviceName = "service.name"
    /// Resource attribute: the machine's name. Spans of one host share a clock, so the
    /// analyzer's clock-skew adjustment never moves one against another.
    public static let hostName = "host.name"
    public static let httpRequestMethod = "http.request.method"
    public static let httpResponseStatusCode = "http.response.status_code"
    public static let httpRoute = "http.route"
    public static let urlPath = "url.path"
    public static let urlFull = "url.full"
    public static let serverAddress = "server.address"
    public static let serverPort = "server.port"
    public static let errorType = "error.type"
    public static let resendCount = "http.request.resend_count"
    public static let peerService = "peer.service"
    public static let networkPeerAddress = "network.peer.address"
    public static let networkPeerPort = "network.peer.port"
    /// Prefix of request-header attributes: `http.request.header.<lowercase-name>`.
    public static let requestHeaderPrefix = "http.request.header."
    /// Zipkin's `shared: true` (Envoy's server half of a shared client/server span id).
    public static let zipkinShared = "keiro.zipkin.shared"
    /// Zipkin's `debug: true`.
    public static let zipkinDebug = "keiro.zipkin.debug"
}

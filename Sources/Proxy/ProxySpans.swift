import KeiroModel
import RoutingCore

/// What routing chose, as span attributes shared by the SERVER span and the CLIENT spans.
struct RoutingAttributes: Sendable {
    var attributes: [Attribute]
    /// `http.route`: the matched block's URI condition (exact path, prefix, or regex
    /// pattern); nil when the route has no URI condition.
    var httpRoute: String?

    init(_ routed: RoutedRequest) {
        let route = routed.route
        let block = routed.matchBlock.map { route.matches[$0] }
        let destination = routed.destination
        let decision: String
        if routed.sticky {
            decision = "sticky"
        } else if let block, !block.headers.isEmpty || !block.withoutHeaders.isEmpty {
            decision = "header"
        } else if route.destinations.count > 1 {
            decision = "weight"
        } else {
            decision = "single"
        }
        var attributes = [Attribute(KeiroAttributes.destinationHost, .string(destination.host))]
        if let name = route.name { attributes.append(Attribute(KeiroAttributes.routeName, .string(name))) }
        if let subset = destination.subset { attributes.append(Attribute(KeiroAttributes.destinationSubset, .string(subset))) }
        attributes.append(Attribute(KeiroAttributes.routingDecision, .string(decision)))
        self.attributes = attributes
        switch block?.uri {
        case .exact(let path, _), .prefix(let path, _): httpRoute = path
        case .regex(let regex): httpRoute = regex.pattern
        case .present, nil: httpRoute = nil
        }
    }
}

/// A CLIENT span for one upstream try, filled in as the try goes.
struct ClientSpanDraft: Sendable {
    let spanID = SpanID.random()
    let start = unixNanosNow()
    var attempt: Int
    var method: String
    /// The upstream's `host:port` (`keiro.destination.address`).
    var address: String
    var serverAddress: String
    var serverPort: Int
    /// Path and query sent (`url.full` is built from it when the span finishes).
    var target: String
    var routing: [Attribute]
    var status: Int?
    var errorType: String?
    var retryReason: String?
    var backoffWaited: Duration?
    var timeout: TimeoutKind?

    /// `error.type`: the try's failure, else a 4xx/5xx status.
    private var effectiveErrorType: String? { errorType ?? status.flatMap { $0 >= 400 ? String($0) : nil } }

    /// The finished span, child of the SERVER span `parent`.
    func finish(trace: RequestTraceContext, parent: SpanID) -> FinishedSpan {
        FinishedSpan(
            traceID: trace.traceID, spanID: spanID, parentSpanID: parent, traceState: trace.traceState,
            name: method, kind: .client, start: start, end: unixNanosNow(),
            status: SpanStatus(code: effectiveErrorType == nil ? .unset : .error), flags: UInt32(trace.flags), draft: .client(self))
    }

    /// The span's attributes, in the order they are recorded.
    func writeAttributes(into writer: inout some AttributeWriter) {
        writer.add(SemanticAttributes.httpRequestMethod, method)
        writer.add(SemanticAttributes.serverAddress, serverAddress)
        writer.add(SemanticAttributes.serverPort, Int64(serverPort))
        writer.add(SemanticAttributes.urlFull, "http://" + address + target)
        if attempt > 1 { writer.add(SemanticAttributes.resendCount, Int64(attempt - 1)) }
        if let status { writer.add(SemanticAttributes.httpResponseStatusCode, Int64(status)) }
        if let errorType = effectiveErrorType { writer.add(SemanticAttributes.errorType, errorType) }
        writer.add(contentsOf: routing)
        writer.add(KeiroAttributes.destinationAddress, address)
        if let retryReason { writer.add(KeiroAttributes.retryReason, retryReason) }
        if let backoffWaited { writer.add(KeiroAttributes.backoffWaitedMs, backoffWaited.milliseconds) }
        if let timeout { writer.add(KeiroAttributes.timeout, timeout.rawValue) }
    }
}

/// The SERVER span for one inbound request.
struct ServerSpanDraft: Sendable {
    let spanID = SpanID.random()
    let start = unixNanosNow()
    var method: String
    var path: String
    var scheme: String
    var requestHeaders: [Attribute]
    var requestID: String
    var clientAddress: String?
    var clientPort: Int?
    /// `Host`/`:authority` as received (`server.address`, `server.port`).
    var authority: String?
    /// The query without `?` (`url.query`).
    var query: String?
    /// From the request's `Content-Length` (`http.request.body.size`).
    var requestBodySize: Int?
    /// Body bytes sent to the caller (`http.response.body.size`).
    var responseBodySize: Int?
    var userAgent: String?
    var httpRoute: String?
    var routing: [Attribute] = []
    var status: Int?
    var errorType: String?
    var flags: [ResponseFlag] = []
    var details: String?
    var timeout: TimeoutKind?
    var attempts = 0
    var retriesDisabled = false

    /// `error.type`: the failure, else a 5xx status.
    private var effectiveErrorType: String? { errorType ?? status.flatMap { $0 >= 500 ? String($0) : nil } }

    /// The finished span, child of the caller's span (if any).
    func finish(trace: RequestTraceContext) -> FinishedSpan {
        FinishedSpan(
            traceID: trace.traceID, spanID: spanID, parentSpanID: trace.parentSpanID, traceState: trace.traceState,
            name: httpRoute.map { "\(method) \($0)" } ?? method, kind: .server, start: start, end: unixNanosNow(),
            status: SpanStatus(code: effectiveErrorType == nil ? .unset : .error), flags: UInt32(trace.flags), draft: .server(self))
    }

    /// The span's attributes, in the order they are recorded.
    func writeAttributes(into writer: inout some AttributeWriter) {
        writer.add(SemanticAttributes.httpRequestMethod, method)
        writer.add(SemanticAttributes.urlPath, path)
        writer.add("url.scheme", scheme)
        if let httpRoute { writer.add(SemanticAttributes.httpRoute, httpRoute) }
        if let clientAddress { writer.add("client.address", clientAddress) }
        if let clientPort { writer.add("client.port", Int64(clientPort)) }
        if let query { writer.add("url.query", query) }
        if let authority {
            let (host, port) = Authority.split(authority)
            writer.add(SemanticAttributes.serverAddress, host)
            if let port { writer.add(SemanticAttributes.serverPort, Int64(port)) }
        }
        if let requestBodySize { writer.add("http.request.body.size", Int64(requestBodySize)) }
        if let responseBodySize { writer.add("http.response.body.size", Int64(responseBodySize)) }
        if let userAgent { writer.add("user_agent.original", userAgent) }
        if let status { writer.add(SemanticAttributes.httpResponseStatusCode, Int64(status)) }
        if let errorType = effectiveErrorType { writer.add(SemanticAttributes.errorType, errorType) }
        writer.add(contentsOf: requestHeaders)
        writer.add(KeiroAttributes.requestID, requestID)
        writer.add(contentsOf: routing)
        if attempts > 0 { writer.add(KeiroAttributes.attempts, Int64(attempts)) }
        if retriesDisabled { writer.add(KeiroAttributes.retriesDisabled, true) }
        if !flags.isEmpty { writer.add(KeiroAttributes.responseFlags, flags.map(\.rawValue).joined(separator: ",")) }
        if let details { writer.add(KeiroAttributes.responseDetails, details) }
        if let timeout { writer.add(KeiroAttributes.timeout, timeout.rawValue) }
    }

    /// Records that the caller went away before the response was complete (Envoy's `DC`).
    mutating func callerWentAway() {
        errorType = "downstream_disconnect"
        flags.append(ResponseFlag(rawValue: "DC"))
    }
}

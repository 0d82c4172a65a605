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

    /// The finished span, child of the SERVER span `parent`.
    func finish(trace: RequestTraceContext, parent: SpanID) -> Span {
        // One allocation: up to 11 attributes of its own plus the routing ones.
        var attributes: [Attribute] = []
        attributes.reserveCapacity(11 + routing.count)
        attributes.append(Attribute(SemanticAttributes.httpRequestMethod, .string(method)))
        attributes.append(Attribute(SemanticAttributes.serverAddress, .string(serverAddress)))
        attributes.append(Attribute(SemanticAttributes.serverPort, .int(Int64(serverPort))))
        attributes.append(Attribute(SemanticAttributes.urlFull, .string("http://\(serverAddress):\(serverPort)\(target)")))
        if attempt > 1 { attributes.append(Attribute(SemanticAttributes.resendCount, .int(Int64(attempt - 1)))) }
        if let status { attributes.append(Attribute(SemanticAttributes.httpResponseStatusCode, .int(Int64(status)))) }
        let errorType = errorType ?? status.flatMap { $0 >= 400 ? String($0) : nil }
        if let errorType { attributes.append(Attribute(SemanticAttributes.errorType, .string(errorType))) }
        attributes += routing
        attributes.append(Attribute(KeiroAttributes.destinationAddress, .string("\(serverAddress):\(serverPort)")))
        if let retryReason { attributes.append(Attribute(KeiroAttributes.retryReason, .string(retryReason))) }
        if let backoffWaited {
            attributes.append(Attribute(KeiroAttributes.backoffWaitedMs, .int(backoffWaited.milliseconds)))
        }
        if let timeout { attributes.append(Attribute(KeiroAttributes.timeout, .string(timeout.rawValue))) }
        return Span(
            traceID: trace.traceID, spanID: spanID, parentSpanID: parent, traceState: trace.traceState,
            name: method, kind: .client, startTimeUnixNano: start, endTimeUnixNano: unixNanosNow(),
            attributes: attributes, status: SpanStatus(code: errorType == nil ? .unset : .error),
            flags: UInt32(trace.flags))
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

    /// The finished span, child of the caller's span (if any).
    func finish(trace: RequestTraceContext) -> Span {
        // One allocation: up to 20 attributes of its own plus the recorded headers and routing.
        var attributes: [Attribute] = []
        attributes.reserveCapacity(20 + requestHeaders.count + routing.count)
        attributes.append(Attribute(SemanticAttributes.httpRequestMethod, .string(method)))
        attributes.append(Attribute(SemanticAttributes.urlPath, .string(path)))
        attributes.append(Attribute("url.scheme", .string(scheme)))
        if let httpRoute { attributes.append(Attribute(SemanticAttributes.httpRoute, .string(httpRoute))) }
        if let clientAddress { attributes.append(Attribute("client.address", .string(clientAddress))) }
        if let clientPort { attributes.append(Attribute("client.port", .int(Int64(clientPort)))) }
        if let query { attributes.append(Attribute("url.query", .string(query))) }
        if let authority {
            let (host, port) = Self.split(authority: authority)
            attributes.append(Attribute(SemanticAttributes.serverAddress, .string(host)))
            if let port { attributes.append(Attribute(SemanticAttributes.serverPort, .int(Int64(port)))) }
        }
        if let requestBodySize { attributes.append(Attribute("http.request.body.size", .int(Int64(requestBodySize)))) }
        if let responseBodySize { attributes.append(Attribute("http.response.body.size", .int(Int64(responseBodySize)))) }
        if let userAgent { attributes.append(Attribute("user_agent.original", .string(userAgent))) }
        if let status { attributes.append(Attribute(SemanticAttributes.httpResponseStatusCode, .int(Int64(status)))) }
        let errorType = errorType ?? status.flatMap { $0 >= 500 ? String($0) : nil }
        if let errorType { attributes.append(Attribute(SemanticAttributes.errorType, .string(errorType))) }
        attributes += requestHeaders
        attributes.append(Attribute(KeiroAttributes.requestID, .string(requestID)))
        attributes += routing
        if attempts > 0 { attributes.append(Attribute(KeiroAttributes.attempts, .int(Int64(attempts)))) }
        if retriesDisabled { attributes.append(Attribute(KeiroAttributes.retriesDisabled, .bool(true))) }
        if !flags.isEmpty {
            attributes.append(Attribute(KeiroAttributes.responseFlags, .string(flags.map(\.rawValue).joined(separator: ","))))
        }
        if let details { attributes.append(Attribute(KeiroAttributes.responseDetails, .string(details))) }
        if let timeout { attributes.append(Attribute(KeiroAttributes.timeout, .string(timeout.rawValue))) }
        return Span(
            traceID: trace.traceID, spanID: spanID, parentSpanID: trace.parentSpanID, traceState: trace.traceState,
            name: httpRoute.map { "\(method) \($0)" } ?? method, kind: .server,
            startTimeUnixNano: start, endTimeUnixNano: unixNanosNow(),
            attributes: attributes, status: SpanStatus(code: errorType == nil ? .unset : .error),
            flags: UInt32(trace.flags))
    }

    /// Records that the caller went away before the response was complete (Envoy's `DC`).
    mutating func callerWentAway() {
        errorType = "downstream_disconnect"
        flags.append(ResponseFlag(rawValue: "DC"))
    }

    /// `example.com:8080` → (`example.com`, 8080); `[::1]:80` → (`[::1]`, 80); no port → nil.
    static func split(authority: String) -> (host: String, port: Int?) {
        guard let colon = authority.lastIndex(of: ":"), !authority[colon...].contains(Character("]")),
              let port = Int(authority[authority.index(after: colon)...])
        else { return (authority, nil) }
        return (String(authority[..<colon]), port)
    }
}

import KeiroModel
import NIOCore
import NIOHTTP1
import RoutingCore

/// The proxy's request handler: route → tries (``AttemptRunner``) → relay the upstream
/// response, or answer locally. Records the SERVER span and hands every span to the sink.
///
/// ``ProxyConnectionHandler`` starts ``serve(_:writer:)`` for each request, on the
/// connection's event loop; the response goes back through the ``ResponseWriter``
/// (NIOHTTP1 heads and headers all the way: no HTTPTypes conversion).
struct ProxyResponder: Sendable {
    let routing: RoutingState
    let configuration: ProxyConfiguration
    let runner: AttemptRunner
    let sink: (any SpanSink)?
    /// The `Date` header's value (the connection handler adds it, with `Server: keiro`).
    let date = HTTPDate()

    /// Answers one request. When the caller's body does not arrive whole, or a streamed
    /// response cannot be completed, the connection is closed instead.
    func serve(_ request: InboundRequest, writer: ResponseWriter) async {
        do {
            try await respond(to: request, writer: writer)
        } catch {
            writer.abort()
        }
    }

    private func respond(to request: InboundRequest, writer: ResponseWriter) async throws {
        let start = ContinuousClock.now
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.head.headers.count + 2)
        var authority: String?
        for (name, value) in request.head.headers {
            let name = name.asciiLowercased()
            if authority == nil, name == "host" { authority = value }
            headers.append((name, value))
        }
        let method = request.head.method.rawValue
        let target = request.head.uri
        let routeRequest = RouteRequest(method: method, target: target, authority: authority, scheme: "http", headers: headers)
        let trace = RequestTraceContext(headers: headers, addingAmazonTraceID: configuration.addsAmazonTraceID)
        let requestID: String
        if let received = routeRequest.header("x-request-id") {
            requestID = received
        } else {
            requestID = ProxyRandom().uuidString()
            headers.append(("x-request-id", requestID))
        }
        let clientAddress = request.client?.ip
        if let clientAddress {
            // As Envoy with `use_remote_address` and an ALB do: append the caller's address.
            if let index = headers.lastIndex(where: { $0.name == "x-forwarded-for" }) {
                headers[index].value += ", \(clientAddress)"
            } else {
                headers.append(("x-forwarded-for", clientAddress))
            }
        }
        if routeRequest.header("x-forwarded-proto") == nil { headers.append(("x-forwarded-proto", routeRequest.scheme)) }
        var server = ServerSpanDraft(
            method: method, path: routeRequest.path, scheme: routeRequest.scheme,
            requestHeaders: sink == nil ? [] : recordedHeaders(routeRequest), requestID: requestID)
        server.clientAddress = clientAddress
        server.clientPort = request.client?.port
        server.authority = authority
        server.query = target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
        server.requestBodySize = routeRequest.header("content-length").flatMap { Int($0) }
        server.userAgent = routeRequest.header("user-agent")

        var random = ProxyRandom()
        let routed: RoutedRequest
        guard let table = routing.hosts.table(for: authority) else {
            return localReply(RouteDecision.noRouteReply, server: &server, trace: trace, writer: writer)
        }
        switch table.decide(routeRequest, using: &random) {
        case .noRoute(let reply):
            return localReply(reply, server: &server, trace: trace, writer: writer)
        case .routed(let decision):
            routed = decision
        }
        // Span attributes only: not built without a sink.
        let routing = sink == nil ? nil : RoutingAttributes(routed)
        server.httpRoute = routing?.httpRoute
        server.routing = routing?.attributes ?? []

        var forwarded = HopByHopHeaders.filter(headers)
        if let authority, !forwarded.contains(where: { $0.name == "host" }) { forwarded.insert(("host", authority), at: 0) }
        let body: ForwardBody
        do {
            body = try await ForwardBody(request.body)
        } catch {
            // The caller's body did not arrive whole (it went away); nothing was sent upstream.
            server.errorType = "request_body"
            server.flags = [ResponseFlag(rawValue: "DC")]
            sink?.export(server.finish(trace: trace))
            throw error
        }
        server.retriesDisabled = !body.isReplayable && routed.route.retries.attempts > 0
        let forward = ForwardRequest(method: request.head.method, target: target, headers: forwarded, body: body)

        switch await runner.run(
            forward, routed: routed, routing: routing, trace: trace, serverSpan: server.spanID, start: start, random: &random)
        {
        case .localReply(let reply):
            localReply(reply, server: &server, trace: trace, writer: writer)
        case .response(let upstream):
            try await relay(upstream, server: server, trace: trace, writer: writer)
        case .callerGone:
            server.callerWentAway()
            sink?.export(server.finish(trace: trace))
            throw CancellationError()
        }
    }

    /// Relays the upstream response: a body that came whole with the head goes back in
    /// one write; otherwise it streams, the try's deadline still bounding it (``UpstreamConnection``).
    private func relay(
        _ upstream: UpstreamResponse, server: ServerSpanDraft, trace: RequestTraceContext, writer: ResponseWriter
    ) async throws {
        var headers = HTTPHeaders()
        headers.reserveCapacity(upstream.head.headers.count + 3)
        let nominated = HopByHopHeaders.nominated(by: upstream.head.headers[canonicalForm: "connection"])
        var hasLength = false
        for (name, value) in upstream.head.headers {
            let lowercased = name.asciiLowercased()
            if HopByHopHeaders.isHopByHop(lowercased, nominated: nominated, keepContentLength: true)
                || lowercased == "date" || lowercased == "server"  // the proxy's own (ProxyConnectionHandler)
            { continue }
            if lowercased == "content-length" { hasLength = true }
            headers.add(name: name, value: value)
        }
        headers.add(name: "x-envoy-upstream-service-time", value: String(upstream.serviceTime.milliseconds))
        var server = server
        server.status = Int(upstream.head.status.code)
        server.flags = upstream.flags
        server.attempts = upstream.attempt
        let body: UpstreamBody
        switch upstream.head.body {
        case .complete(let buffer):
            // Recorded as sent: the write follows at once, on this loop.
            server.responseBodySize = buffer?.readableBytes ?? 0
            runner.export(upstream.span, trace: trace, parent: server.spanID)
            sink?.export(server.finish(trace: trace))
            // An empty body without Content-Length (204, 304, …) gets none added.
            if !hasLength, let buffer { headers.add(name: "content-length", value: String(buffer.readableBytes)) }
            writer.respond(status: upstream.head.status, headers: headers, body: buffer)
            return
        case .streaming(let streaming):
            body = streaming
        }
        writer.start(status: upstream.head.status, headers: headers)
        var span = upstream.span
        server.responseBodySize = 0
        do {
            try await BodyRelay.relay(body) {
                server.responseBodySize? += $0.readableBytes
                try await writer.write($0)
            }
            // A read cancelled because the caller's connection closed may end the body early.
            try Task.checkCancellation()
        } catch where error is BodyRelay.DownstreamFailure || Task.isCancelled {
            // The caller went away (Envoy flag DC): a write to it failed, or its connection
            // closed and cancelled this task. The upstream read is cancelled either way.
            span.errorType = "cancelled"
            server.callerWentAway()
            runner.export(span, trace: trace, parent: server.spanID)
            sink?.export(server.finish(trace: trace))
            throw error
        } catch {
            // The head is already sent: a timeout or upstream failure mid-body can
            // only cut the response short (Envoy resets the stream the same way).
            let underlying = (error as? BodyRelay.UpstreamFailure)?.underlying ?? error
            let (outcome, errorType) = UpstreamClient.classify(underlying)
            span.errorType = errorType
            server.errorType = errorType
            if case .timedOut = outcome {
                span.timeout = upstream.deadlineKind
                server.timeout = upstream.deadlineKind
                server.flags.append(.upstreamRequestTimeout)
            } else {
                server.flags.append(.upstreamRemoteReset)
            }
            runner.export(span, trace: trace, parent: server.spanID)
            sink?.export(server.finish(trace: trace))
            throw underlying
        }
        writer.finish()
        runner.export(span, trace: trace, parent: server.spanID)
        sink?.export(server.finish(trace: trace))
    }

    /// A reply the proxy makes itself (Envoy's wording and status), recorded on the SERVER span.
    private func localReply(_ reply: LocalReply, server: inout ServerSpanDraft, trace: RequestTraceContext, writer: ResponseWriter) {
        server.status = reply.status
        server.flags = reply.flags
        server.details = reply.details
        server.timeout = reply.timeout
        server.attempts = reply.attempt
        server.responseBodySize = reply.body.utf8.count
        if reply.timeout != nil { server.errorType = "timeout" }
        sink?.export(server.finish(trace: trace))
        var headers = HTTPHeaders()
        let body = ByteBuffer(string: reply.body)
        if !reply.body.isEmpty { headers.add(name: "content-type", value: "text/plain") }
        headers.add(name: "content-length", value: String(body.readableBytes))
        writer.respond(status: HTTPResponseStatus(statusCode: reply.status), headers: headers, body: body)
    }

    /// `http.request.header.<name>` attributes for the headers the configuration names.
    private func recordedHeaders(_ request: RouteRequest) -> [Attribute] {
        var values: [(String, [AttributeValue])] = []
        for field in request.headers where configuration.records(header: field.name) {
            if let index = values.firstIndex(where: { $0.0 == field.name }) {
                values[index].1.append(.string(field.value))
            } else {
                values.append((field.name, [.string(field.value)]))
            }
        }
        return values.map { Attribute(SemanticAttributes.requestHeaderPrefix + $0.0, .array($0.1)) }
    }
}

extension String {
    /// ASCII-lowercased (header names); `self`, without a copy, when it has no capitals.
    func asciiLowercased() -> String {
        guard utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return self }
        return String(decoding: utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }, as: UTF8.self)
    }
}

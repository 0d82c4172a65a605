import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import KeiroModel
import Logging
import NIOCore
import NIOHTTP1
import RoutingCore

/// The proxy's request handler: route → tries (``AttemptRunner``) → relay the upstream
/// response, or answer locally. Records the SERVER span and hands every span to the sink.
///
/// It is the server's responder itself (``serve(_:writer:channel:)``), without Hummingbird's
/// `Application` around it: no per-request logger, task-local or request context.
struct ProxyResponder: Sendable {
    let routing: RoutingState
    let configuration: ProxyConfiguration
    let runner: AttemptRunner
    let sink: (any SpanSink)?
    let date = HTTPDate()

    /// Answers one request on `channel`: as Hummingbird's `Application` does, a malformed
    /// request goes back to the server (which answers 400 and closes), another failure
    /// becomes 500, and every response gets `Date` and `Server: keiro`.
    func serve(_ request: Request, writer: consuming ResponseWriter, channel: any Channel) async throws {
        var response: Response
        do {
            response = try await respond(to: request, remoteAddress: channel.remoteAddress)
        } catch let error as HTTPParserError {
            throw error
        } catch {
            response = Response(status: .internalServerError, body: ResponseBody())
        }
        response.headers[.date] = date.now
        response.headers[.server] = "keiro"
        try await writer.write(response: response.head, body: response.body)
    }

    func respond(to request: Request, remoteAddress: SocketAddress?) async throws -> Response {
        let start = ContinuousClock.now
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.count + 2)
        for field in request.headers { headers.append((field.name.canonicalName, field.value)) }
        let authority = request.head.authority
        let target = request.head.path ?? "/"
        let routeRequest = RouteRequest(
            method: request.method.rawValue, target: target, authority: authority,
            scheme: request.head.scheme ?? "http", headers: headers)
        let trace = RequestTraceContext(headers: headers, addingAmazonTraceID: configuration.addsAmazonTraceID)
        let requestID: String
        if let received = routeRequest.header("x-request-id") {
            requestID = received
        } else {
            requestID = ProxyRandom().uuidString()
            headers.append(("x-request-id", requestID))
        }
        let clientAddress = remoteAddress?.ipAddress
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
            method: request.method.rawValue, path: routeRequest.path, scheme: routeRequest.scheme,
            requestHeaders: sink == nil ? [] : recordedHeaders(routeRequest), requestID: requestID)
        server.clientAddress = clientAddress
        server.clientPort = remoteAddress?.port
        server.authority = authority
        server.query = target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
        server.requestBodySize = routeRequest.header("content-length").flatMap { Int($0) }
        server.userAgent = routeRequest.header("user-agent")

        var random = ProxyRandom()
        let routed: RoutedRequest
        guard let table = routing.hosts.table(for: authority) else {
            return localReply(RouteDecision.noRouteReply, server: &server, trace: trace)
        }
        switch table.decide(routeRequest, using: &random) {
        case .noRoute(let reply):
            return localReply(reply, server: &server, trace: trace)
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
            body = try await ForwardBody.prepare(request, limit: configuration.retryBufferLimit)
        } catch {
            // The caller's body did not arrive whole (disconnect, or more bytes than its
            // Content-Length); nothing was sent upstream.
            server.errorType = "request_body"
            server.flags = [ResponseFlag(rawValue: "DC")]
            sink?.export(server.finish(trace: trace))
            throw error
        }
        server.retriesDisabled = !body.isReplayable && routed.route.retries.attempts > 0
        let forward = ForwardRequest(method: HTTPMethod(rawValue: request.method.rawValue), target: target, headers: forwarded, body: body)

        switch await runner.run(
            forward, routed: routed, routing: routing, trace: trace, serverSpan: server.spanID, start: start, random: &random)
        {
        case .localReply(let reply):
            return localReply(reply, server: &server, trace: trace)
        case .response(let upstream):
            return relay(upstream, server: server, trace: trace)
        }
    }

    /// Relays the upstream response: a body that came whole with the head goes back in
    /// one write; otherwise it streams, the try's deadline still bounding it (``UpstreamConnection``).
    private func relay(_ upstream: UpstreamResponse, server: ServerSpanDraft, trace: RequestTraceContext) -> Response {
        var fields = HTTPFields()
        fields.reserveCapacity(upstream.head.headers.count + 1)
        let nominated = HopByHopHeaders.nominated(by: upstream.head.headers[canonicalForm: "connection"])
        for (name, value) in upstream.head.headers {
            guard let name = HTTPField.Name(name),
                  !HopByHopHeaders.isHopByHop(name.canonicalName, nominated: nominated, keepContentLength: true)
            else { continue }
            fields.append(HTTPField(name: name, value: value))
        }
        fields[HTTPField.Name("x-envoy-upstream-service-time")!] = String(upstream.serviceTime.milliseconds)
        var finished = server
        finished.status = Int(upstream.head.status.code)
        finished.flags = upstream.flags
        finished.attempts = upstream.attempt
        let server = finished
        let runner = runner
        let sink = sink
        let status = HTTPResponse.Status(code: Int(upstream.head.status.code))
        let body: UpstreamBody
        switch upstream.head.body {
        case .complete(let buffer):
            // Recorded as sent: the caller's write is Hummingbird's, after this returns.
            var server = server
            server.responseBodySize = buffer?.readableBytes ?? 0
            runner.export(upstream.span, trace: trace, parent: server.spanID)
            sink?.export(server.finish(trace: trace))
            let hadLength = fields[.contentLength] != nil
            var response = Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer ?? ByteBuffer()))
            // An empty body without Content-Length (204, 304, …) gets none added.
            if !hadLength, buffer == nil { response.headers[.contentLength] = nil }
            return response
        case .streaming(let streaming):
            body = streaming
        }
        return Response(status: status, headers: fields, body: ResponseBody { writer in
            var span = upstream.span
            var server = server
            server.responseBodySize = 0
            do {
                try await BodyRelay.relay(body) {
                    server.responseBodySize? += $0.readableBytes
                    try await writer.write($0)
                }
            } catch let failure as BodyRelay.DownstreamFailure {
                // The caller went away (Envoy flag DC); the upstream read is cancelled.
                span.errorType = "cancelled"
                server.errorType = "downstream_disconnect"
                server.flags.append(ResponseFlag(rawValue: "DC"))
                runner.export(span, trace: trace, parent: server.spanID)
                sink?.export(server.finish(trace: trace))
                throw failure.underlying
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
            try await writer.finish(nil)
            runner.export(span, trace: trace, parent: server.spanID)
            sink?.export(server.finish(trace: trace))
        })
    }

    /// A reply the proxy makes itself (Envoy's wording and status), recorded on the SERVER span.
    private func localReply(_ reply: LocalReply, server: inout ServerSpanDraft, trace: RequestTraceContext) -> Response {
        server.status = reply.status
        server.flags = reply.flags
        server.details = reply.details
        server.timeout = reply.timeout
        server.attempts = reply.attempt
        server.responseBodySize = reply.body.utf8.count
        if reply.timeout != nil { server.errorType = "timeout" }
        sink?.export(server.finish(trace: trace))
        var fields = HTTPFields()
        let body = ByteBuffer(string: reply.body)
        if !reply.body.isEmpty { fields[.contentType] = "text/plain" }
        fields[.contentLength] = String(body.readableBytes)
        return Response(status: HTTPResponse.Status(code: reply.status), headers: fields, body: ResponseBody(byteBuffer: body))
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

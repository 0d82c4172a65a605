import KeiroModel
import Logging
import NIOCore
import NIOHTTP1
import RoutingCore

/// How the tries of one request ended.
enum AttemptResult: Sendable {
    /// An upstream response to relay; its body is still to be streamed.
    case response(UpstreamResponse)
    /// A reply the proxy makes itself (504 `UT`, 503 `UF`, …).
    case localReply(LocalReply)
    /// The caller went away before a response came: its connection closed and cancelled
    /// the request's task, which ended the try in flight (recorded as `cancelled`).
    case callerGone
}

/// The upstream response being relayed, with the CLIENT span of its try still open (it
/// ends when the body has been streamed).
struct UpstreamResponse: Sendable {
    /// Status, headers and the body still to read (bounded by the try's deadline).
    var head: UpstreamResponseHead
    var span: ClientSpanDraft
    /// Which timeout bounds the body stream, if any.
    var deadlineKind: TimeoutKind?
    /// `URX` when the response was retriable but retries ran out.
    var flags: [ResponseFlag]
    /// From sending the try to its response head (`x-envoy-upstream-service-time`).
    var serviceTime: Duration
    /// The try number.
    var attempt: Int
}

/// What every try of one request sends.
struct ForwardRequest: Sendable {
    var method: HTTPMethod
    /// Path and query as received (`/search?q=1`).
    var target: String
    /// Headers to forward (hop-by-hop removed; `host` kept), `x-request-id` included.
    var headers: [(name: String, value: String)]
    var body: ForwardBody
}

/// Drives RoutingCore's ``RetryStateMachine`` over real tries: arms each try's deadline,
/// classifies how it ended, sleeps the back-off, and records one CLIENT span per try.
/// All decisions come from the state machine; this type only does the I/O.
struct AttemptRunner: Sendable {
    let client: UpstreamClient
    let sink: (any SpanSink)?
    let logger: Logger

    func run(
        _ request: ForwardRequest, routed: RoutedRequest, routing: RoutingAttributes?,
        trace: RequestTraceContext, serverSpan: SpanID, start: ContinuousClock.Instant,
        random: inout some RandomNumberGenerator
    ) async -> AttemptResult {
        let policy: RetryPolicy
        if request.body.isReplayable {
            policy = routed.route.retries
        } else {
            // A streamed body cannot be sent twice: one try only, timeouts still apply.
            policy = RetryPolicy(attempts: 0, perTryTimeout: routed.route.retries.perTryTimeout, retryOn: [])
        }
        var machine = RetryStateMachine(policy: policy, routeTimeout: routed.route.timeout)
        var backoffWaited: Duration?
        while true {
            let attempt: Int
            let deadline: ContinuousClock.Instant?
            let deadlineKind: TimeoutKind?
            switch machine.startAttempt(at: .now - start) {
            case .giveUp(let reply):
                return .localReply(reply)
            case .attempt(let number, let offset, let kind):
                attempt = number
                deadline = offset.map { start + $0 }
                deadlineKind = kind
            }
            let (address, host, port) = Self.address(for: routed.destination, using: &random)
            var span = ClientSpanDraft(
                attempt: attempt, method: request.method.rawValue, address: address, serverAddress: host, serverPort: port,
                target: request.target, routing: routing?.attributes ?? [],
                backoffWaited: backoffWaited)
            let sent = ContinuousClock.now
            let outcome: AttemptOutcome
            var head: UpstreamResponseHead?
            do {
                let response = try await client.send(
                    upstreamHead(request, address: address, attempt: attempt, trace: trace, span: span.spanID, serverSpan: serverSpan),
                    body: request.body, host: host, port: port, address: address, deadline: deadline)
                head = response
                span.status = Int(response.status.code)
                outcome = .response(
                    status: Int(response.status.code),
                    grpcStatus: response.headers.first(name: "grpc-status").flatMap { Int($0) },
                    rateLimited: response.headers.contains(name: "x-envoy-ratelimited"))
            } catch where Task.isCancelled {
                span.errorType = "cancelled"
                export(span, trace: trace, parent: serverSpan)
                return .callerGone
            } catch {
                let (failure, errorType) = UpstreamClient.classify(error)
                outcome = failure
                span.errorType = errorType
                if case .timedOut = failure { span.timeout = deadlineKind }
                logger.debug("upstream try failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }
            switch machine.attemptEnded(outcome, at: .now - start, using: &random) {
            case .returnResponse(_, let number, let flags, _):
                guard let head else { preconditionFailure("returnResponse without a response") }
                return .response(UpstreamResponse(
                    head: head, span: span, deadlineKind: deadlineKind, flags: flags,
                    serviceTime: sent.duration(to: .now), attempt: number))
            case .retry(let delay, _, let reason):
                span.retryReason = reason.description
                if let head { await BodyRelay.drain(head.body) }
                export(span, trace: trace, parent: serverSpan)
                try? await Task.sleep(for: delay)
                backoffWaited = delay
            case .giveUp(let reply):
                if span.timeout == nil, reply.timeout != nil, span.errorType == "timeout" { span.timeout = reply.timeout }
                export(span, trace: trace, parent: serverSpan)
                if let head { await BodyRelay.drain(head.body) }
                let replyAt = start + reply.at
                if replyAt > .now { try? await Task.sleep(until: replyAt, clock: .continuous) }
                return .localReply(reply)
            }
        }
    }

    func export(_ span: ClientSpanDraft, trace: RequestTraceContext, parent: SpanID) {
        sink?.export(span.finish(trace: trace, parent: parent))
    }

    /// The request head for try `attempt`: the forwarded headers (`host` = the upstream
    /// `address` when the caller sent none) plus the body's framing, `x-envoy-attempt-count`
    /// and the trace context naming this try's CLIENT span as parent.
    private func upstreamHead(
        _ request: ForwardRequest, address: String, attempt: Int, trace: RequestTraceContext, span: SpanID, serverSpan: SpanID
    ) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(request.headers.count + 6)
        if !request.headers.contains(where: { $0.name == "host" }) { headers.add(name: "host", value: address) }
        for (name, value) in request.headers
        where name != "x-envoy-attempt-count" && !RequestTraceContext.propagationHeaderNames.contains(name) {
            headers.add(name: name, value: value)
        }
        if let framing = request.body.framingHeader(method: request.method) { headers.add(name: framing.name, value: framing.value) }
        headers.add(name: "x-envoy-attempt-count", value: String(attempt))
        for (name, value) in trace.propagationHeaders(parent: span, serverSpan: serverSpan) { headers.add(name: name, value: value) }
        return HTTPRequestHead(version: .http1_1, method: request.method, uri: request.target, headers: headers)
    }

    /// One address of the destination (`host:port`, host, port), picked at random; a
    /// destination without addresses is reached through its host name (port from the
    /// destination, else 80).
    static func address(
        for destination: Destination, using random: inout some RandomNumberGenerator
    ) -> (address: String, host: String, port: Int) {
        let address: String
        if destination.addresses.isEmpty {
            address = "\(destination.host):\(destination.port ?? 80)"
        } else {
            address = destination.addresses[Int(random.next(upperBound: UInt64(destination.addresses.count)))]
        }
        let (host, port) = Authority.split(address)
        if let port { return (address, host, port) }
        let defaultPort = destination.port ?? 80
        return ("\(address):\(defaultPort)", address, defaultPort)
    }
}

import KeiroModel

/// Complete traces of Keiro's demo topology, batched the way its processes export them, for
/// query benchmarks and tests that need whole requests rather than loose spans.
///
/// The mix follows `keiro demo`'s traffic: 40 % `GET /search` (edge → gateway →
/// search-api), 50 % `GET /aggregate` (edge → gateway → BFF, which calls search-api,
/// reviews and backend-api through its sidecar), 20 % of all traffic carrying `feature: v1`
/// or `feature: v2` (header-routed to reviews-v1/v2), and 10 % mesh calls to svca through
/// the sidecar, 2 % with `service-router-svca-demo: svca-pr1.demo` (header-routed to the PR
/// replica). About 9.4 spans per trace: each proxy hop writes a SERVER span and a CLIENT
/// span per try with the attributes `ProxySpans` writes (`keiro.*`, OTel HTTP, recorded
/// request headers); the BFF and the backends write one SERVER span each.
///
/// Faults: ~3 % of traces have a retried try (`http.request.resend_count`,
/// `keiro.retry.reason`), ~1 % a per-try timeout (`keiro.timeout`) of which a quarter end
/// in the route's timeout (504, `keiro.response_flags` `UT`), ~10 % went to a canary
/// (`keiro.destination.host`/`.subset`). Backend latency has a long tail (a few percent of
/// calls 5–40× slower).
///
/// Traces start spread evenly over `window` ending at `endNanos` (by span count, so the
/// window is covered whatever the mix yields). Each process keeps a buffer; a buffer is
/// exported as one batch (its spans sorted by end time, traces interleaved) when it reaches
/// a size drawn from 512–2048 spans, or when its oldest span is `maxBatchLag` older than the
/// traces being generated (so quiet services still export). Deterministic for a seed.
public struct DemoTraces: Sequence, IteratorProtocol {
    /// Spans to generate; the last trace is completed, so a few more may come.
    public let spanBudget: Int
    public let endNanos: UInt64
    public let windowNanos: UInt64
    public private(set) var spansGenerated = 0
    public private(set) var tracesGenerated = 0

    private static let maxBatchLag: UInt64 = 60_000_000_000
    private var random: SplitMix64
    private var buffers: [[Span]]
    private var targets: [Int]
    private var ready: [SpanBatch] = []
    private var finished = false
    /// The spans of the trace being built, with the process that reports each.
    private var pending: [(DemoProcess, Span)] = []
    /// Whether backend-api's last call hung (its retry then hangs more often).
    private var lastItemsHung = false

    public init(seed: UInt64, spans: Int, endNanos: UInt64, window: Duration = .seconds(2 * 3600)) {
        spanBudget = spans
        self.endNanos = endNanos
        windowNanos = UInt64(window.components.seconds) * 1_000_000_000
        random = SplitMix64(seed: seed)
        buffers = Array(repeating: [], count: DemoProcess.allCases.count)
        targets = []
        for _ in DemoProcess.allCases { targets.append(Self.batchSize(&random)) }
    }

    /// The next batch, `nil` after the last.
    public mutating func next() -> SpanBatch? {
        while ready.isEmpty && !finished {
            if spansGenerated >= spanBudget {
                for process in DemoProcess.allCases where !buffers[process.rawValue].isEmpty { export(process) }
                finished = true
            } else {
                generateTrace()
            }
        }
        return ready.isEmpty ? nil : ready.removeFirst()
    }

    private static func batchSize(_ random: inout SplitMix64) -> Int { 512 + Int(random.next() % 1537) }

    // MARK: Batching

    private mutating func generateTrace() {
        let progress = Double(spansGenerated) / Double(Swift.max(spanBudget, 1))
        let start = endNanos - windowNanos + UInt64(progress * Double(windowNanos)) + next(below: 50_000_000)
        pending.removeAll(keepingCapacity: true)
        makeTrace(start: Swift.min(start, endNanos))
        for (process, span) in pending { buffers[process.rawValue].append(span) }
        spansGenerated += pending.count
        tracesGenerated += 1
        for process in DemoProcess.allCases {
            let buffer = buffers[process.rawValue]
            guard let oldest = buffer.first?.startTimeUnixNano else { continue }
            if buffer.count >= targets[process.rawValue] || oldest + Self.maxBatchLag < start { export(process) }
        }
    }

    private mutating func export(_ process: DemoProcess) {
        let spans = buffers[process.rawValue].sorted { $0.endTimeUnixNano < $1.endTimeUnixNano }
        buffers[process.rawValue].removeAll(keepingCapacity: true)
        targets[process.rawValue] = Self.batchSize(&random)
        ready.append(SpanBatch([ResourceSpans(resource: process.resource, scopeSpans: [ScopeSpans(scope: process.scope, spans: spans)])]))
    }

    // MARK: Random draws

    private mutating func next(below bound: UInt64) -> UInt64 { random.next() % bound }
    private mutating func chance(_ probability: Double) -> Bool { Double(random.next() >> 11) / Double(1 << 53) < probability }
    private mutating func between(_ low: UInt64, _ high: UInt64) -> UInt64 { low + next(below: high - low + 1) }
    private mutating func spanID() -> SpanID { SpanID(random.next() | 1) }

    /// A backend's latency: mostly `low`–`high`, 3 % of calls 5–40× slower.
    private mutating func latency(_ low: UInt64, _ high: UInt64) -> UInt64 {
        let base = between(low, high)
        return chance(0.03) ? base * between(5, 40) : base
    }

    // MARK: Traces

    /// What one request carries through the hops.
    private struct Request {
        var traceID: TraceID
        var path: String
        var query: String
        var headers: [(name: String, value: String)]
        var requestID: String

        var headerAttributes: [Attribute] {
            headers.map { Attribute(SemanticAttributes.requestHeaderPrefix + $0.name, .array([.string($0.value)])) }
        }

        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
    }

    /// How a hop answered: when, with which status, and the timeout that fired, if any.
    private struct Outcome {
        var end: UInt64
        var status: Int
        var flags: [String] = []
        var timeout: String?
    }

    private mutating func makeTrace(start: UInt64) {
        let kind = next(below: 100)
        var request = Request(
            traceID: TraceID(high: (start / 1_000_000_000) << 32 | (random.next() >> 32), low: random.next()), path: "/search",
            query: "q=item\(next(below: 100_000))", headers: [], requestID: Self.requestID(random.next(), random.next()))
        if kind >= 90 {
            // A mesh call entering at the BFF's sidecar; no edge, so a W3C id of its own.
            request.traceID = TraceID(high: random.next(), low: random.next())
            request.path = "/hello"
            request.query = "name=\(next(below: 1000))"
            if chance(0.2) { request.headers = [("service-router-svca-demo", "svca-pr1.demo")] }
            _ = sidecarCall(.svca, parent: nil, start: start, request: request)
            return
        }
        if kind >= 40 {
            request.path = "/aggregate"
            if kind >= 70 { request.headers = [("feature", kind >= 80 ? "v2" : "v1")] }
        }
        _ = edge(start: start, request: request)
    }

    private static func requestID(_ a: UInt64, _ b: UInt64) -> String {
        let hex = Array(TraceID(high: a, low: b).hexString)
        return [hex[0..<8], hex[8..<12], hex[12..<16], hex[16..<20], hex[20..<32]].map { String($0) }.joined(separator: "-")
    }

    private mutating func edge(start: UInt64, request: Request) -> Outcome {
        let canary = chance(0.05)
        let route = ProxyRoute(
            name: "rule-1", httpRoute: "/*", host: canary ? "gateway-canary" : "gateway-primary", subset: nil,
            decision: "weight", address: canary ? "127.0.0.1:8082" : "127.0.0.1:8081", retries: 0, perTryTimeout: nil,
            timeout: nil)
        return proxy(.edge, parent: nil, start: start, request: request, route: route) { generator, parent, start in
            generator.gateway(canary ? .gatewayCanary : .gateway, parent: parent, start: start, request: request)
        }
    }

    private mutating func gateway(_ process: DemoProcess, parent: SpanID, start: UInt64, request: Request) -> Outcome {
        if request.path == "/search" {
            let canary = chance(0.06)
            let route = ProxyRoute(
                name: "search", httpRoute: "/search", host: canary ? "search-api-canary" : "search-api-primary", subset: nil,
                decision: "weight", address: canary ? "127.0.0.1:9102" : "127.0.0.1:9101", retries: 2,
                perTryTimeout: 2_000_000_000, timeout: 5_000_000_000)
            return proxy(process, parent: parent, start: start, request: request, route: route) { generator, parent, start in
                generator.searchAPI(canary: canary, parent: parent, start: start, request: request)
            }
        }
        let route = ProxyRoute(
            name: "aggregate", httpRoute: "/aggregate", host: "bff", subset: nil, decision: "single", address: "127.0.0.1:9001",
            retries: 0, perTryTimeout: nil, timeout: 8_000_000_000)
        return proxy(process, parent: parent, start: start, request: request, route: route) { generator, parent, start in
            generator.bff(parent: parent, start: start, request: request)
        }
    }

    /// The BFF's SERVER span; its three calls go concurrently through the sidecar.
    private mutating func bff(parent: SpanID, start: UInt64, request: Request) -> Outcome {
        let server = spanID()
        let callStart = start + between(100_000, 400_000)
        var search = request
        search.path = "/search"
        var reviews = request
        reviews.path = "/reviews"
        var items = request
        items.path = "/items"
        let outcomes = [
            sidecarCall(.search, parent: server, start: callStart, request: search),
            sidecarCall(.reviews, parent: server, start: callStart + between(20_000, 80_000), request: reviews),
            sidecarCall(.items, parent: server, start: callStart + between(40_000, 160_000), request: items),
        ]
        let status = outcomes[0].status >= 500 ? 502 : 200
        let end = outcomes.map(\.end).max()! + between(200_000, 800_000)
        record(.bff, application(server, parent: parent, name: "GET /aggregate", route: "/aggregate", start: start, end: end, status: status, port: 9001, request: request))
        return Outcome(end: end, status: status)
    }

    /// The calls the BFF's sidecar routes (tools/demo/sidecar-*.yaml).
    private enum SidecarCall { case search, reviews, items, svca }

    private mutating func sidecarCall(_ call: SidecarCall, parent: SpanID?, start: UInt64, request: Request) -> Outcome {
        let route: ProxyRoute
        let backend: DemoProcess
        switch call {
        case .search:
            let canary = chance(0.06)
            backend = canary ? .searchAPICanary : .searchAPIPrimary
            route = ProxyRoute(
                name: "search-api.0", httpRoute: nil, host: "search-api.searchns.svc.cluster.local",
                subset: canary ? "canary" : "primary", decision: "weight", address: canary ? "127.0.0.1:9102" : "127.0.0.1:9101",
                retries: 2, perTryTimeout: 4_000_000_000, timeout: 5_000_000_000)
        case .reviews:
            let feature = request.header("feature")
            backend = feature == "v1" ? .reviewsV1 : feature == "v2" ? .reviewsV2 : .reviews
            let host = feature.map { "reviews-\($0).reviews.svc.cluster.local" } ?? "reviews.reviews.svc.cluster.local"
            route = ProxyRoute(
                name: feature.map { "feature-\($0)" } ?? "default", httpRoute: nil, host: host, subset: nil,
                decision: feature == nil ? "single" : "header", address: backend.address, retries: 0, perTryTimeout: nil,
                timeout: nil)
        case .items:
            backend = .backendAPI
            route = ProxyRoute(
                name: "backend-api.0", httpRoute: nil, host: "backend-api.example.internal", subset: nil, decision: "single",
                address: backend.address, retries: 2, perTryTimeout: 3_000_000_000, timeout: 6_000_000_000)
        case .svca:
            let pr = request.header("service-router-svca-demo") != nil
            backend = pr ? .svcaPR1 : .svca
            route = ProxyRoute(
                name: pr ? "pr1" : "default", httpRoute: nil,
                host: pr ? "svca-pr1.demo.svc.cluster.local" : "svca.demo.svc.cluster.local", subset: nil,
                decision: pr ? "header" : "single", address: backend.address, retries: 0, perTryTimeout: nil, timeout: nil)
        }
        return proxy(.bffSidecar, parent: parent, start: start, request: request, route: route) { generator, parent, start in
            switch call {
            case .search: generator.searchAPI(canary: backend == .searchAPICanary, parent: parent, start: start, request: request)
            case .reviews: generator.backend(backend, parent: parent, start: start, request: request, latency: (2_000_000, 8_000_000), errorRate: 0)
            case .items: generator.itemsBackend(parent: parent, start: start, request: request)
            case .svca: generator.backend(backend, parent: parent, start: start, request: request, latency: (1_000_000, 5_000_000), errorRate: 0)
            }
        }
    }

    private mutating func searchAPI(canary: Bool, parent: SpanID, start: UInt64, request: Request) -> Outcome {
        backend(
            canary ? .searchAPICanary : .searchAPIPrimary, parent: parent, start: start, request: request,
            latency: (3_000_000, 15_000_000), errorRate: canary ? 0.08 : 0.012)
    }

    /// backend-api: 0.5 % 503s, and 2 % of calls hang 3.5 s (a quarter of retries after a
    /// hang hang again), as `keiro demo` configures it.
    private mutating func itemsBackend(parent: SpanID, start: UInt64, request: Request) -> Outcome {
        let hangs = chance(lastItemsHung ? 0.25 : 0.02)
        lastItemsHung = hangs
        if hangs {
            return backend(.backendAPI, parent: parent, start: start, request: request, latency: (3_500_000_000, 3_500_000_000), errorRate: 0)
        }
        return backend(.backendAPI, parent: parent, start: start, request: request, latency: (5_000_000, 30_000_000), errorRate: 0.005)
    }

    /// A backend's SERVER span (OpenTelemetry-instrumented HTTP server).
    private mutating func backend(
        _ process: DemoProcess, parent: SpanID, start: UInt64, request: Request, latency range: (UInt64, UInt64), errorRate: Double
    ) -> Outcome {
        let begin = start + between(50_000, 200_000)
        let end = begin + latency(range.0, range.1)
        let status = chance(errorRate) ? 503 : 200
        record(process, application(spanID(), parent: parent, name: "GET \(request.path)", route: request.path, start: begin, end: end, status: status, port: process.port, request: request))
        return Outcome(end: end + between(50_000, 200_000), status: status)
    }

    private func application(
        _ id: SpanID, parent: SpanID, name: String, route: String, start: UInt64, end: UInt64, status: Int, port: Int, request: Request
    ) -> Span {
        Span(
            traceID: request.traceID, spanID: id, parentSpanID: parent, name: name, kind: .server, startTimeUnixNano: start,
            endTimeUnixNano: end,
            attributes: [
                Attribute(SemanticAttributes.httpRequestMethod, .string("GET")),
                Attribute(SemanticAttributes.urlPath, .string(request.path)), Attribute("url.scheme", .string("http")),
                Attribute(SemanticAttributes.httpRoute, .string(route)),
                Attribute(SemanticAttributes.serverAddress, .string("127.0.0.1")),
                Attribute(SemanticAttributes.serverPort, .int(Int64(port))),
                Attribute(SemanticAttributes.networkPeerAddress, .string("127.0.0.1")),
                Attribute(SemanticAttributes.httpResponseStatusCode, .int(Int64(status))),
            ] + (status >= 500 ? [Attribute(SemanticAttributes.errorType, .string(String(status)))] : []),
            status: SpanStatus(code: status >= 500 ? .error : .unset), flags: 1)
    }

    // MARK: Proxy hops

    /// A route a proxy chose, as `RoutingAttributes` and the retry policy describe it.
    private struct ProxyRoute {
        var name: String
        var httpRoute: String?
        var host: String
        var subset: String?
        var decision: String
        var address: String
        var retries: Int
        var perTryTimeout: UInt64?
        var timeout: UInt64?

        var attributes: [Attribute] {
            var attributes = [Attribute(KeiroAttributes.destinationHost, .string(host)), Attribute(KeiroAttributes.routeName, .string(name))]
            if let subset { attributes.append(Attribute(KeiroAttributes.destinationSubset, .string(subset))) }
            attributes.append(Attribute(KeiroAttributes.routingDecision, .string(decision)))
            return attributes
        }
    }

    /// A proxy hop: its SERVER span and a CLIENT span per try, the upstream's spans coming
    /// from `upstream` (called with the try's CLIENT span id and send time). Retries 5xx
    /// and per-try timeouts after a ~25 ms back-off while tries and route time are left.
    private mutating func proxy(
        _ process: DemoProcess, parent: SpanID?, start: UInt64, request: Request, route: ProxyRoute,
        upstream: (inout DemoTraces, SpanID, UInt64) -> Outcome
    ) -> Outcome {
        let server = spanID()
        let routeDeadline = route.timeout.map { start + $0 }
        var tryStart = start + between(100_000, 400_000)
        var attempt = 1
        var backoff: UInt64?
        var outcome: Outcome
        while true {
            let client = spanID()
            let answer = upstream(&self, client, tryStart)
            let perTryDeadline = route.perTryTimeout.map { tryStart + $0 }
            let deadline = [perTryDeadline, routeDeadline].compactMap { $0 }.min()
            var attributes = [
                Attribute(SemanticAttributes.httpRequestMethod, .string("GET")),
                Attribute(SemanticAttributes.serverAddress, .string("127.0.0.1")),
                Attribute(SemanticAttributes.serverPort, .int(Int64(route.address.split(separator: ":").last!)!)),
                Attribute(SemanticAttributes.urlFull, .string("http://\(route.address)\(request.path)?\(request.query)")),
            ]
            if attempt > 1 { attributes.append(Attribute(SemanticAttributes.resendCount, .int(Int64(attempt - 1)))) }
            let timedOut = deadline.map { answer.end > $0 } ?? false
            let timeoutKind = timedOut ? (deadline == routeDeadline ? "overall" : "per_try") : nil
            let tryEnd = timedOut ? deadline! : answer.end
            if timedOut {
                attributes.append(Attribute(SemanticAttributes.errorType, .string("timeout")))
            } else {
                attributes.append(Attribute(SemanticAttributes.httpResponseStatusCode, .int(Int64(answer.status))))
                if answer.status >= 400 { attributes.append(Attribute(SemanticAttributes.errorType, .string(String(answer.status)))) }
            }
            attributes += route.attributes
            attributes.append(Attribute(KeiroAttributes.destinationAddress, .string(route.address)))
            let failed = timedOut || answer.status >= 500
            let nextStart = tryEnd + between(12_500_000, 37_500_000)
            let retry = failed && attempt <= route.retries && timeoutKind != "overall" && nextStart < (routeDeadline ?? .max)
            if retry {
                let reason = timedOut ? "per-try-timeout (retryOn 5xx)" : "\(answer.status) (retryOn 5xx)"
                attributes.append(Attribute(KeiroAttributes.retryReason, .string(reason)))
            }
            if let backoff { attributes.append(Attribute(KeiroAttributes.backoffWaitedMs, .int(Int64(backoff / 1_000_000)))) }
            if let timeoutKind { attributes.append(Attribute(KeiroAttributes.timeout, .string(timeoutKind))) }
            record(
                process,
                Span(
                    traceID: request.traceID, spanID: client, parentSpanID: server, name: "GET", kind: .client,
                    startTimeUnixNano: tryStart, endTimeUnixNano: tryEnd, attributes: attributes,
                    status: SpanStatus(code: failed || answer.status >= 400 ? .error : .unset), flags: 1))
            if retry {
                backoff = nextStart - tryEnd
                tryStart = nextStart
                attempt += 1
                continue
            }
            if let timeoutKind {
                outcome = Outcome(end: tryEnd, status: 504, flags: ["UT"], timeout: timeoutKind)
            } else {
                outcome = answer
                outcome.flags = failed && route.retries > 0 ? ["URX"] : []
                outcome.timeout = nil
            }
            break
        }
        let end = outcome.end + between(100_000, 300_000)
        var attributes = [
            Attribute(SemanticAttributes.httpRequestMethod, .string("GET")),
            Attribute(SemanticAttributes.urlPath, .string(request.path)), Attribute("url.scheme", .string("http")),
        ]
        if let httpRoute = route.httpRoute { attributes.append(Attribute(SemanticAttributes.httpRoute, .string(httpRoute))) }
        attributes += [
            Attribute("client.address", .string("127.0.0.1")), Attribute("client.port", .int(Int64(between(32768, 60999)))),
            Attribute("url.query", .string(request.query)),
            Attribute(SemanticAttributes.serverAddress, .string(process.authority)),
            Attribute(SemanticAttributes.serverPort, .int(Int64(process.port))),
            Attribute("http.response.body.size", .int(Int64(outcome.status == 200 ? between(400, 4000) : 0))),
            Attribute("user_agent.original", .string("keiro-demo/1.0")),
            Attribute(SemanticAttributes.httpResponseStatusCode, .int(Int64(outcome.status))),
        ]
        if outcome.status >= 500 { attributes.append(Attribute(SemanticAttributes.errorType, .string(String(outcome.status)))) }
        attributes += request.headerAttributes
        attributes.append(Attribute(KeiroAttributes.requestID, .string(request.requestID)))
        attributes += route.attributes
        attributes.append(Attribute(KeiroAttributes.attempts, .int(Int64(attempt))))
        if !outcome.flags.isEmpty { attributes.append(Attribute(KeiroAttributes.responseFlags, .string(outcome.flags.joined(separator: ",")))) }
        if let timeout = outcome.timeout { attributes.append(Attribute(KeiroAttributes.timeout, .string(timeout))) }
        record(
            process,
            Span(
                traceID: request.traceID, spanID: server, parentSpanID: parent,
                name: route.httpRoute.map { "GET \($0)" } ?? "GET", kind: .server, startTimeUnixNano: start, endTimeUnixNano: end,
                attributes: attributes, status: SpanStatus(code: outcome.status >= 500 ? .error : .unset), flags: 1))
        return Outcome(end: end + between(50_000, 200_000), status: outcome.status)
    }

    private mutating func record(_ process: DemoProcess, _ span: Span) {
        pending.append((process, span))
    }
}

/// The demo topology's processes that report spans (tools/demo, `keiro demo`).
enum DemoProcess: Int, CaseIterable {
    case edge, gateway, gatewayCanary, bff, bffSidecar
    case searchAPIPrimary, searchAPICanary, backendAPI, reviews, reviewsV1, reviewsV2, svca, svcaPR1

    var service: String {
        switch self {
        case .edge: "edge"
        case .gateway: "gateway"
        case .gatewayCanary: "gateway-canary"
        case .bff: "bff"
        case .bffSidecar: "bff-sidecar"
        case .searchAPIPrimary, .searchAPICanary: "search-api"
        case .backendAPI: "backend-api"
        case .reviews, .reviewsV1, .reviewsV2: "reviews"
        case .svca, .svcaPR1: "svca"
        }
    }

    var instance: String {
        switch self {
        case .searchAPIPrimary: "search-api-primary"
        case .searchAPICanary: "search-api-canary"
        case .reviewsV1: "reviews-v1"
        case .reviewsV2: "reviews-v2"
        case .svcaPR1: "svca-pr1"
        default: service
        }
    }

    var port: Int {
        switch self {
        case .edge: 8080
        case .gateway: 8081
        case .gatewayCanary: 8082
        case .bff: 9001
        case .bffSidecar: 15001
        case .searchAPIPrimary: 9101
        case .searchAPICanary: 9102
        case .backendAPI: 9201
        case .reviews: 9301
        case .reviewsV1: 9311
        case .reviewsV2: 9312
        case .svca: 9401
        case .svcaPR1: 9411
        }
    }

    var address: String { "127.0.0.1:\(port)" }

    /// The `Host` a request to this process carries.
    var authority: String { self == .edge ? "demo.keiro.local" : "127.0.0.1" }

    var isProxy: Bool { [.edge, .gateway, .gatewayCanary, .bffSidecar].contains(self) }

    var resource: Resource {
        Resource(attributes: [
            Attribute(SemanticAttributes.serviceName, .string(service)),
            Attribute("service.instance.id", .string("\(instance)-7f9c6d")),
            Attribute(SemanticAttributes.hostName, .string("node-\(rawValue % 3)")),
            Attribute("telemetry.sdk.name", .string(isProxy ? "keiro" : "opentelemetry")),
            Attribute("telemetry.sdk.language", .string("swift")),
        ])
    }

    var scope: InstrumentationScope {
        isProxy ? InstrumentationScope(name: "keiro.proxy", version: "0.1.0") : InstrumentationScope(name: "io.opentelemetry.http", version: "1.0.0")
    }
}

import AsyncHTTPClient
import Foundation
import Hummingbird
import KeiroModel
import Logging
import NIOCore

/// One upstream call the BFF makes for each `/aggregate` request.
public struct BFFCall: Sendable, Hashable {
    /// Key of this call's result in the aggregated document.
    public var name: String
    /// The service's mesh host name, sent as `Host` so the sidecar picks its VirtualService.
    public var host: String
    /// Path (and query) requested.
    public var path: String
    /// Whether the aggregate fails (502) when this call fails; optional calls degrade.
    public var required: Bool

    public init(name: String, host: String, path: String, required: Bool) {
        self.name = name
        self.host = host
        self.path = path
        self.required = required
    }

    /// The demo topology's calls (hosts of `../shared/scenarios`): search is required,
    /// reviews and items degrade.
    public static let demo: [BFFCall] = [
        BFFCall(name: "search", host: "search-api.searchns.svc.cluster.local", path: "/search", required: true),
        BFFCall(name: "reviews", host: "reviews.reviews.svc.cluster.local", path: "/reviews", required: false),
        BFFCall(name: "items", host: "backend-api.example.internal", path: "/items", required: false),
    ]
}

/// The aggregation API (backend for frontend): `GET /aggregate` calls every upstream
/// concurrently through the BFF's sidecar, forwarding the trace-context and routing
/// headers (as Istio requires of applications), and merges the answers into one JSON
/// document. A failed optional call is listed under `errors`; a failed required call makes
/// the answer 502.
public struct BFFService: Sendable {
    /// Base URL of the sidecar the BFF sends its calls to, e.g. `http://127.0.0.1:15001`.
    public var sidecar: String
    public var calls: [BFFCall]
    /// Deadline of each upstream call (the sidecar's own timeouts normally fire first).
    public var callTimeout: Duration

    public init(sidecar: String, calls: [BFFCall] = BFFCall.demo, callTimeout: Duration = .seconds(15)) {
        self.sidecar = sidecar
        self.calls = calls
        self.callTimeout = callTimeout
    }

    /// Headers copied from the inbound request to every upstream call.
    static func isForwarded(_ name: String) -> Bool {
        TraceContextExtractor.propagationHeaderNames.contains(name) || ["x-request-id", "feature"].contains(name)
            || name.hasPrefix("service-router-")
    }

    /// The Hummingbird application listening on `host:port`.
    public func application(
        client: HTTPClient, host: String = "127.0.0.1", port: Int, logger: Logger = Logger(label: "keiro.demo.bff"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        let service = self
        router.get("/aggregate") { request, _ in await service.aggregate(request, client: client) }
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "bff"),
            onServerRunning: { await onServerRunning($0.localAddress?.port ?? port) }, logger: logger)
    }

    func aggregate(_ request: Request, client: HTTPClient) async -> Response {
        let forwarded = request.headers.filter { Self.isForwarded($0.name.canonicalName) }.map { ($0.name.canonicalName, $0.value) }
        let query = request.uri.query.map { "?" + $0 } ?? ""
        let results = await withTaskGroup(of: (BFFCall, Result<Data, CallFailure>).self) { group in
            for call in calls {
                group.addTask { (call, await self.perform(call, query: query, headers: forwarded, client: client)) }
            }
            return await group.reduce(into: [(BFFCall, Result<Data, CallFailure>)]()) { $0.append($1) }
        }
        var document: [String: Any] = [:]
        var errors: [String: String] = [:]
        var failedRequired = false
        for (call, result) in results {
            switch result {
            case .success(let body): document[call.name] = (try? JSONSerialization.jsonObject(with: body)) ?? NSNull()
            case .failure(let failure):
                document[call.name] = NSNull()
                errors[call.name] = failure.description
                failedRequired = failedRequired || call.required
            }
        }
        if !errors.isEmpty { document["errors"] = errors }
        let body = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data()
        return Response(
            status: failedRequired ? .badGateway : .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    struct CallFailure: Error, CustomStringConvertible {
        var description: String
    }

    private func perform(_ call: BFFCall, query: String, headers: [(String, String)], client: HTTPClient) async
        -> Result<Data, CallFailure>
    {
        var upstream = HTTPClientRequest(url: sidecar + call.path + query)
        upstream.headers.add(name: "host", value: call.host)
        for (name, value) in headers { upstream.headers.add(name: name, value: value) }
        do {
            let response = try await client.execute(upstream, timeout: TimeAmount(callTimeout))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else { return .failure(CallFailure(description: "HTTP \(response.status.code)")) }
            return .success(Data(body.readableBytesView))
        } catch {
            return .failure(CallFailure(description: "\(error)"))
        }
    }
}

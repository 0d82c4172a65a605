import Foundation
import Hummingbird
import KeiroModel
import Logging
import NIOCore
import Synchronization

/// A demo backend instance (search-api, reviews, backend-api …): answers any GET with a
/// small JSON document naming itself and the routing headers it saw, after applying the
/// instance's `FaultProfile`.
public struct DemoBackend: Sendable {
    /// Service name, e.g. `search-api`.
    public var service: String
    /// Instance name, e.g. `search-api-canary` or `svca-pr1`.
    public var instance: String
    public var faults: FaultProfile
    /// Seed of the fault draws (reproducible demos and tests).
    public var seed: UInt64

    public init(service: String, instance: String, faults: FaultProfile = .healthy, seed: UInt64 = 1) {
        self.service = service
        self.instance = instance
        self.faults = faults
        self.seed = seed
    }

    /// Request headers echoed back, so a caller can see which routing decision reached it.
    static let echoedHeaders = ["feature", "x-request-id", "traceparent", "x-envoy-attempt-count"]

    /// The Hummingbird application listening on `host:port` (0 picks a free port, reported
    /// to `onServerRunning`).
    public func application(
        host: String = "127.0.0.1", port: Int, logger: Logger = Logger(label: "keiro.demo.backend"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let injector = FaultInjector(profile: faults)
        let random = Mutex(SplitMix64(seed: seed))
        let router = Router()
        let backend = self
        for path in ["/", "/**"] {
            router.get(RouterPath(path)) { request, _ -> Response in
                let action = random.withLock { injector.decide(using: &$0) }
                return try await backend.respond(to: request, action: action)
            }
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: instance),
            onServerRunning: { await onServerRunning($0.localAddress?.port ?? port) },
            logger: logger)
    }

    private func respond(to request: Request, action: FaultAction) async throws -> Response {
        let body = ByteBuffer(bytes: document(for: request))
        switch action {
        case .respond(let status, let delay):
            try await Task.sleep(for: .milliseconds(delay))
            return json(status: status, body)
        case .hang(let delay):
            try await Task.sleep(for: .milliseconds(delay))
            return json(status: 200, body)
        case .reset(let delay):
            try await Task.sleep(for: .milliseconds(delay))
            // Promise more than is sent, then fail the body: the server closes the connection
            // mid-response, which a client or proxy sees as an upstream reset.
            return Response(
                status: .ok, headers: [.contentType: "application/json", .contentLength: String(body.readableBytes + 1024)],
                body: ResponseBody { writer in
                    try await writer.write(body)
                    throw CancellationError()
                })
        }
    }

    private func document(for request: Request) -> [UInt8] {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            if Self.echoedHeaders.contains(name) || name.hasPrefix("service-router-") { headers[name] = field.value }
        }
        let document: [String: Any] = ["service": service, "instance": instance, "path": request.uri.path, "headers": headers]
        return Array((try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data())
    }

    private func json(status: Int, _ body: ByteBuffer) -> Response {
        Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }
}

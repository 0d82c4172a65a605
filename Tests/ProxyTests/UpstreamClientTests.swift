import NIOCore
import NIOHTTP1
@testable import Proxy
import Testing

@Suite("Upstream client", .timeLimit(.minutes(1)))
struct UpstreamClientTests {
    @Test("a try sent from outside the event loops goes out from one of them, and its connection is pooled")
    func sendFromOutsideTheLoops() async throws {
        try await withCountingUpstream { upstream in
            let client = await UpstreamClient(ProxyConfiguration(routeSets: []))
            let address = "127.0.0.1:\(upstream.port)"
            for _ in 0..<3 {
                var headers = HTTPHeaders()
                headers.add(name: "host", value: address)
                let response = try await client.send(
                    HTTPRequestHead(version: .http1_1, method: .GET, uri: "/small", headers: headers), body: .empty,
                    host: "127.0.0.1", port: upstream.port, address: address, deadline: .now + .seconds(5))
                #expect(response.status == .ok)
                guard case .complete(let body?) = response.body else {
                    Issue.record("expected the whole body with the head")
                    continue
                }
                #expect(String(buffer: body) == "ok")
            }
            await client.shutdown()
            #expect(upstream.requests == 3)
            // Each call may land on another loop (each has its own pool), never more connections than loops.
            #expect((1...System.coreCount).contains(upstream.connections))
        }
    }
}

import KeiroModel
import Proxy
import Store
import TestSupport
import Testing

@Suite("Proxy span export", .timeLimit(.minutes(1)))
struct ProxyExportTests {
    @Test("with --collector set, the SERVER and CLIENT spans reach a live collector's store")
    func spansReachCollector() async throws {
        try await withRunningCollector { collector in
            let traceID = try await withProxy(
                backends: [Backend(name: "main", script: [503])], collector: collector.baseURL, routes: gatewayRoutes
            ) { proxy in
                let reply = try await proxy.send("/flaky")
                #expect(reply.status == 200)
                let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
                return server.traceID
            }
            // withProxy returned after graceful shutdown, which flushes the exporter; the
            // collector acknowledges a batch only once it is committed.
            let stored = try await collector.store.trace(traceID)
            #expect(stored.filter { $0.span.kind == .server }.count == 1)
            #expect(stored.filter { $0.span.kind == .client }.count == 2)
            #expect(stored.allSatisfy { $0.serviceName == "gateway" })
            let resends = stored.filter { $0.span.kind == .client }
                .compactMap { span in span.span.attributes.first { $0.key == "http.request.resend_count" }?.value }
            #expect(resends == [.int(1)])
        }
    }
}

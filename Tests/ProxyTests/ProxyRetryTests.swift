import AsyncHTTPClient
import KeiroModel
import NIOHTTP1
import Proxy
import Testing

@Suite("Proxy retries and timeouts", .timeLimit(.minutes(1)))
struct ProxyRetryTests {
    @Test("503, 503, 200 gives the caller 200 and three CLIENT spans with resend_count 0/1/2")
    func retriesUntilSuccess() async throws {
        let main = Backend(name: "main", script: [503, 503])
        try await withProxy(backends: [main], routes: gatewayRoutes) { proxy in
            let reply = try await proxy.send("/flaky")
            #expect(reply.status == 200)
            #expect(reply.body == "status 200")
            #expect(reply.headers.first(name: "x-echo-attempt-count") == "3")
            #expect(main.hits == 3)
            let clients = try await proxy.recorder.spans(.client, atLeast: 3)
            try #require(clients.count == 3)
            #expect(clients.map { $0[attribute: "http.request.resend_count"]?.intValue ?? 0 } == [0, 1, 2])
            #expect(clients.map { $0[attribute: "http.response.status_code"] } == [.int(503), .int(503), .int(200)])
            #expect(clients[0][attribute: "keiro.retry.reason"] == .string("503 (retryOn 5xx)"))
            #expect(clients[2][attribute: "keiro.retry.reason"] == nil)
            #expect(clients[0][attribute: "keiro.retry.backoff_ms"] == nil)
            #expect(clients[1][attribute: "keiro.retry.backoff_ms"] != nil)
            #expect(clients[0][attribute: "error.type"] == .string("503"))
            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
            #expect(Set(clients.map(\.parentSpanID)) == [server.spanID])
            #expect(server[attribute: "http.response.status_code"] == .int(200))
            #expect(server[attribute: "keiro.attempts"] == .int(3))
        }
    }

    @Test("a hung backend fires the per-try timeout, then the route timeout: 504 UT")
    func hungBackend() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            let started = ContinuousClock.now
            let reply = try await proxy.send("/hang")
            let elapsed = started.duration(to: .now)
            #expect(reply.status == 504)
            #expect(reply.body == "upstream request timeout")
            #expect(elapsed >= .milliseconds(690) && elapsed < .seconds(3))
            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
            #expect(server[attribute: "keiro.response_flags"] == .string("UT"))
            #expect(server[attribute: "keiro.timeout"] == .string("overall"))
            #expect(server[attribute: "error.type"] == .string("timeout"))
            // 250 ms tries under a 700 ms route timeout: normally three (per_try, per_try,
            // overall); a loaded machine may start the third too late to make it.
            let clients = try await proxy.recorder.spans(.client, atLeast: 3, within: .seconds(1))
            #expect((2...3).contains(clients.count))
            #expect(clients.first?[attribute: "keiro.timeout"] == .string("per_try"))
            #expect(clients.allSatisfy { $0[attribute: "error.type"] == .string("timeout") })
        }
    }

    @Test("a refused port is retried on connect-failure, then 503 UF,URX")
    func refusedPort() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            let reply = try await proxy.send("/refused")
            #expect(reply.status == 503)
            #expect(reply.body.contains("connection failure"))
            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
            #expect(server[attribute: "keiro.response_flags"] == .string("UF,URX"))
            let clients = try await proxy.recorder.spans(.client, atLeast: 3)
            #expect(clients.count == 3)
            #expect(clients.map { $0[attribute: "http.request.resend_count"]?.intValue ?? 0 } == [0, 1, 2])
            #expect(clients.allSatisfy { $0[attribute: "error.type"] == .string("connection_refused") })
            #expect(clients[0][attribute: "keiro.retry.reason"] == .string("connect-failure (retryOn connect-failure)"))
        }
    }

    @Test("an upstream that resets before answering is retried on reset, then 503 UR,URX")
    func upstreamReset() async throws {
        try await withResettingServer { resetPort in
            try await withProxy(backends: [Backend(name: "main")], routes: { gatewayRoutes($0, resetPort: resetPort) }) { proxy in
                let reply = try await proxy.send("/reset", headers: [("x-request-id", "caller-chosen-id")])
                #expect(reply.status == 503)
                #expect(reply.body.contains("remote reset"))
                let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
                #expect(server[attribute: "keiro.response_flags"] == .string("UR,URX"))
                #expect(server[attribute: "keiro.request_id"] == .string("caller-chosen-id"))
                let clients = try await proxy.recorder.spans(.client, atLeast: 2)
                #expect(clients.count == 2)
                #expect(clients[0][attribute: "keiro.retry.reason"] == .string("reset (retryOn reset)"))
            }
        }
    }
}

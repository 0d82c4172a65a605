import AsyncHTTPClient
import KeiroModel
import NIOHTTP1
import Proxy
import Testing

@Suite("Proxy forwarding", .timeLimit(.minutes(1)))
struct ProxyForwardingTests {
    @Test("method, path, query, headers and body reach the upstream; Envoy headers are added")
    func plainForward() async throws {
        let main = Backend(name: "main")
        try await withProxy(backends: [main], routes: gatewayRoutes) { proxy in
            let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            let reply = try await proxy.send(
                "/echo/items?q=1&b=two%20words", method: .POST,
                headers: [
                    ("x-test-a", "1"), ("connection", "keep-alive, x-drop-me"), ("x-drop-me", "secret"),
                    ("traceparent", traceparent), ("feature", "v1"),
                ],
                body: "hello upstream")
            #expect(reply.status == 200)
            #expect(reply.body == "hello upstream")
            #expect(reply.headers.first(name: "x-backend") == "main")
            #expect(reply.headers.first(name: "x-echo-method") == "POST")
            #expect(reply.headers.first(name: "x-echo-target") == "/echo/items?q=1&b=two%20words")
            #expect(reply.headers.first(name: "x-echo-x-test-a") == "1")
            #expect(reply.headers.first(name: "x-echo-x-drop-me") == nil)
            #expect(reply.headers.first(name: "x-echo-connection") == nil)
            #expect(reply.headers.first(name: "x-echo-x-envoy-attempt-count") == "1")
            #expect(reply.headers.first(name: "x-echo-x-request-id")?.count == 36)
            #expect(reply.headers.first(name: "x-echo-host") == "127.0.0.1:\(proxy.port)")
            #expect(reply.headers.first(name: "x-envoy-upstream-service-time").flatMap { Int($0) } != nil)
            #expect(reply.headers.first(name: "x-echo-x-forwarded-for") == "127.0.0.1")
            #expect(reply.headers.first(name: "x-echo-x-forwarded-proto") == "http")

            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
            let client = try #require(try await proxy.recorder.spans(.client, atLeast: 1).first)
            #expect(server.traceID.hexString == "0af7651916cd43dd8448eb211c80319c")
            #expect(server.parentSpanID?.hexString == "b7ad6b7169203331")
            #expect(client.traceID == server.traceID)
            #expect(client.parentSpanID == server.spanID)
            #expect(reply.headers.first(name: "x-echo-traceparent") == "00-0af7651916cd43dd8448eb211c80319c-\(client.spanID.hexString)-01")
            #expect(server.name == "POST /echo")
            #expect(server[attribute: "http.request.method"] == .string("POST"))
            #expect(server[attribute: "url.path"] == .string("/echo/items"))
            #expect(server[attribute: "client.address"] == .string("127.0.0.1"))
            #expect(server[attribute: "http.route"] == .string("/echo"))
            #expect(server[attribute: "http.response.status_code"] == .int(200))
            #expect(server[attribute: "http.request.header.feature"] == .array([.string("v1")]))
            #expect(server[attribute: "keiro.route.name"] == .string("echo"))
            #expect(server[attribute: "keiro.routing.decision"] == .string("single"))
            #expect(client[attribute: "server.address"] == .string("127.0.0.1"))
            let upstreamPort = try #require(client[attribute: "server.port"]?.intValue)
            #expect(client[attribute: "keiro.destination.address"] == .string("127.0.0.1:\(upstreamPort)"))
            #expect(client[attribute: "url.full"] == .string("http://127.0.0.1:\(upstreamPort)/echo/items?q=1&b=two%20words"))
            #expect(client[attribute: "http.request.resend_count"] == nil)
        }
    }

    @Test("a request matching no route gets Envoy's 404 with flag NR")
    func noRoute() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            let reply = try await proxy.send("/nowhere")
            #expect(reply.status == 404)
            #expect(reply.body == "")
            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
            #expect(server[attribute: "keiro.response_flags"] == .string("NR"))
            #expect(try await proxy.recorder.spans(.client, atLeast: 0, within: .zero).isEmpty)
        }
    }

    @Test("the header route reaches only the PR replica")
    func headerRoute() async throws {
        let main = Backend(name: "main")
        let pr = Backend(name: "pr1")
        try await withProxy(backends: [main, pr], routes: gatewayRoutes) { proxy in
            for index in 0..<10 {
                let routed = try await proxy.send("/echo/\(index)", headers: [("service-router-svca-demo", "svca-pr1.demo")])
                #expect(routed.headers.first(name: "x-backend") == "pr1")
                let plain = try await proxy.send("/echo/\(index)")
                #expect(plain.headers.first(name: "x-backend") == "main")
            }
            #expect(pr.hits == 10)
            #expect(main.hits == 10)
            let servers = try await proxy.recorder.spans(.server, atLeast: 20)
            let decisions = servers.compactMap { $0[attribute: "keiro.routing.decision"]?.stringValue }
            #expect(decisions.filter { $0 == "header" }.count == 10)
            let recorded = servers.filter { $0[attribute: "http.request.header.service-router-svca-demo"] != nil }
            #expect(recorded.count == 10)
        }
    }

    @Test("HEAD is relayed without a body and still recorded")
    func head() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            let reply = try await proxy.send("/echo/head", method: .HEAD)
            #expect(reply.status == 200)
            #expect(reply.body == "")
            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1, within: .seconds(2)).first)
            #expect(server[attribute: "http.request.method"] == .string("HEAD"))
        }
    }

    @Test("a 90/10 split over 2,000 requests lands within tolerance")
    func weightedSplit() async throws {
        let primary = Backend(name: "primary")
        let canary = Backend(name: "canary")
        try await withProxy(backends: [primary, canary], routes: gatewayRoutes) { proxy in
            let total = 2000
            let lanes = 8
            let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                for lane in 0..<lanes {
                    group.addTask {
                        var failed = 0
                        for index in stride(from: lane, to: total, by: lanes) where try await proxy.send("/split/\(index)").status != 200 {
                            failed += 1
                        }
                        return failed
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(failures == 0)
            #expect(primary.hits + canary.hits == total)
            // Binomial(2000, 0.1): mean 200, σ ≈ 13.4; ±5σ.
            #expect((133...267).contains(canary.hits), "canary got \(canary.hits) of \(total)")
            let servers = try await proxy.recorder.spans(.server, atLeast: total)
            #expect(servers.allSatisfy { $0[attribute: "keiro.routing.decision"] == .string("weight") })
        }
    }

    @Test("a sticky route keeps a user on one destination")
    func stickyRoute() async throws {
        let primary = Backend(name: "primary")
        let canary = Backend(name: "canary")
        try await withProxy(backends: [primary, canary], routes: gatewayRoutes) { proxy in
            for user in ["alice", "bob", "carol", "dave"] {
                var seen: Set<String> = []
                for _ in 0..<5 {
                    let reply = try await proxy.send("/sticky/x", headers: [("x-user-id", user)])
                    seen.insert(reply.headers.first(name: "x-backend") ?? "?")
                }
                #expect(seen.count == 1, "\(user) went to \(seen)")
            }
            let servers = try await proxy.recorder.spans(.server, atLeast: 20)
            #expect(servers.allSatisfy { $0[attribute: "keiro.routing.decision"] == .string("sticky") })
        }
    }
}

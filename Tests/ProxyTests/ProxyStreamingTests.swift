import AsyncHTTPClient
import KeiroModel
import NIOCore
import NIOHTTP1
import Proxy
import Testing

@Suite("Proxy streaming and shutdown", .timeLimit(.minutes(1)))
struct ProxyStreamingTests {
    @Test("a body over the retry buffer is streamed intact, and that request is not retried")
    func largeBodyStreamsWithoutRetry() async throws {
        let main = Backend(name: "main", script: [503])
        try await withProxy(backends: [main], routes: gatewayRoutes) { proxy in
            let large = String(repeating: "0123456789abcdef", count: 200 * 1024 / 16)  // 200 KiB
            let echoed = try await proxy.send("/echo/large", method: .PUT, body: large)
            #expect(echoed.status == 200)
            #expect(echoed.body == large)
            // The same through a route with per-try and route timeouts: the response body
            // goes through the deadline-bounded reader, many chunks of it.
            let timed = try await proxy.send("/timed/large", method: .PUT, body: large)
            #expect(timed.status == 200)
            #expect(timed.body == large)

            let flaky = try await proxy.send("/flaky", method: .POST, body: large)
            #expect(flaky.status == 503)
            #expect(main.hits == 3)  // /echo, /timed, and one for /flaky: no retry
            let servers = try await proxy.recorder.spans(.server, atLeast: 3)
            let flakyServer = try #require(servers.first { $0[attribute: "keiro.route.name"] == .string("flaky") })
            #expect(flakyServer[attribute: "keiro.retry.disabled"] == .bool(true))
            #expect(flakyServer[attribute: "keiro.attempts"] == .int(1))
        }
    }

    @Test("the per-try deadline also bounds the response body: a stalled body is cut off and recorded")
    func stalledBodyTimesOut() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            let started = ContinuousClock.now
            var received = ""
            do {
                let response = try await proxy.client.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(proxy.port)/stall"), timeout: .seconds(10))
                #expect(response.status == .ok)  // the head was relayed before the body stalled
                for try await chunk in response.body { received += String(buffer: chunk) }
                Issue.record("the body should have been cut off, got \(received)")
            } catch {
                // expected: the proxy closes the connection when the deadline fires
            }
            #expect(received == "start")
            #expect(started.duration(to: .now) < .seconds(3))
            let client = try #require(try await proxy.recorder.spans(.client, atLeast: 1).first)
            #expect(client[attribute: "keiro.timeout"] == .string("per_try"))
            #expect(client[attribute: "error.type"] == .string("timeout"))
            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
            #expect(server[attribute: "keiro.response_flags"] == .string("UT"))
            #expect(server[attribute: "http.response.status_code"] == .int(200))
        }
    }

    @Test("a caller that goes away mid-stream ends the upstream read at once, recorded as DC")
    func callerGoneMidStream() async throws {
        let main = Backend(name: "main")
        try await withProxy(backends: [main], routes: gatewayRoutes) { proxy in
            // The `timed` route allows 3 s per try: without the caller's close the relay
            // would wait for the stalled body until then and record a timeout.
            let connection = try await RawConnection(port: proxy.port)
            let started = ContinuousClock.now
            connection.send("GET /timed/stall HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(await connection.wait { $0.hasSuffix("start") || $0.contains("\r\n5\r\nstart") })
            try await connection.close()
            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
            #expect(started.duration(to: .now) < .seconds(2))
            #expect(server[attribute: "keiro.response_flags"] == .string("DC"))
            #expect(server[attribute: "error.type"] == .string("downstream_disconnect"))
            #expect(server[attribute: "http.response.status_code"] == .int(200))
            let client = try #require(try await proxy.recorder.spans(.client, atLeast: 1).first)
            #expect(client[attribute: "error.type"] == .string("cancelled"))
            #expect(client[attribute: "keiro.timeout"] == nil)
            // The proxy goes on serving.
            #expect(try await proxy.send("/echo/after").status == 200)
        }
    }

    @Test("a caller that goes away before the upstream answers ends the try without retrying, recorded as DC")
    func callerGoneBeforeResponse() async throws {
        let main = Backend(name: "main")
        try await withProxy(backends: [main], routes: gatewayRoutes) { proxy in
            let connection = try await RawConnection(port: proxy.port)
            let started = ContinuousClock.now
            connection.send("GET /timed/hang HTTP/1.1\r\nHost: a\r\n\r\n")
            try await Task.sleep(for: .milliseconds(200))
            try await connection.close()
            let server = try #require(try await proxy.recorder.spans(.server, atLeast: 1).first)
            #expect(started.duration(to: .now) < .seconds(2))
            #expect(server[attribute: "keiro.response_flags"] == .string("DC"))
            #expect(server[attribute: "http.response.status_code"] == nil)
            let clients = try await proxy.recorder.spans(.client, atLeast: 1)
            #expect(clients.count == 1)
            #expect(clients.first?[attribute: "error.type"] == .string("cancelled"))
            #expect(main.hits == 1)
        }
    }

    @Test("graceful shutdown lets an in-flight request finish")
    func gracefulShutdown() async throws {
        try await withProxy(backends: [Backend(name: "main")], routes: gatewayRoutes) { proxy in
            async let reply = proxy.send("/echo/slow")
            try await Task.sleep(for: .milliseconds(100))
            await proxy.shutdown()
            let finished = try await reply
            #expect(finished.status == 200)
        }
    }
}

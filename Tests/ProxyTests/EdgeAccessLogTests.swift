import Collector
import Foundation
import KeiroModel
import Proxy
import RoutingCore
import Store
import TestSupport
import Testing

/// The edge's ALB access log: written off the request path, rotated, gzipped, and read back
/// by `keiro ingest alb-logs` (ALBLogIngest) into the traces of the proxies' spans.
@Suite("Edge access log", .timeLimit(.minutes(1)))
struct EdgeAccessLogTests {
    static func edge(target: Int, logs: String) -> String {
        """
        kind: Edge
        listeners:
          - port: 8080
            rules:
              - priority: 5
                conditions: { path: "/echo*" }
                forward: { targetGroups: [ { name: gateway-primary, targets: ["127.0.0.1:\(target)"] } ] }
            accessLog: { dir: "\(logs)", rotateBytes: 1024 }
        """
    }

    @Test("N requests → N lines in rotated .log.gz files → ingested, one ALB span in each edge trace")
    func edgeLogsJoinTheProxiesTraces() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let requests = 12
        try await withRunningCollector { collector in
            let servers = try await withProxy(
                backends: [Backend(name: "gateway")], collector: collector.baseURL, configure: { $0.serviceName = "edge" },
                routes: { Self.edge(target: $0[0], logs: directory.path) }
            ) { proxy in
                for index in 0..<requests {
                    let reply = try await proxy.send("/echo/\(index)?q=\(index)", headers: [("user-agent", "test agent/1.0")])
                    #expect(reply.status == 200)
                    // The edge set X-Amzn-Trace-Id (as an ALB does), Root = the trace, Parent = its CLIENT span.
                    let amazon = try #require(reply.headers.first(name: "x-echo-x-amzn-trace-id").flatMap { AmazonTraceID(header: $0) })
                    let traceparent = try #require(reply.headers.first(name: "x-echo-traceparent"))
                    #expect(traceparent.contains(amazon.root?.hexString ?? "missing"))
                    #expect(amazon.parent.map { traceparent.contains($0.hexString) } == true)
                }
                let servers = try await proxy.recorder.spans(.server, atLeast: requests)
                #expect(await eventually { proxy.server.accessLogMetrics?.lines == requests })
                return servers
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            #expect(files.count >= 2, "1 KiB rotation over \(requests) lines of ~450 bytes: \(files)")
            #expect(files.allSatisfy { $0.hasPrefix("000000000000_elasticloadbalancing_local_app.edge.") && $0.hasSuffix(".log.gz") })

            var lines = 0
            for file in files {
                let result = try await ALBLogIngest().ingest(file: directory.file(file), into: collector.store)
                #expect(result.malformed.isEmpty)
                lines += result.lines
            }
            #expect(lines == requests)
            for server in servers {
                let trace = try await collector.store.trace(server.traceID)
                let alb = trace.filter { $0.serviceName.hasPrefix("app/edge/") }
                try #require(alb.count == 1)
                let span = alb[0].span
                #expect(span.parentSpanID == server.spanID, "the ALB span nests under the edge's SERVER span")
                #expect(trace.contains { $0.serviceName == "edge" && $0.span.kind == .client && $0.span.parentSpanID == server.spanID })
                let path = server[attribute: "url.path"]?.stringValue ?? "?"
                #expect(span.attributes["url.full"]?.stringValue?.hasSuffix("\(path)?q=\(path.dropFirst(6))") == true)
                #expect(span.attributes[SemanticAttributes.httpResponseStatusCode] == .int(200))
                #expect(span.attributes["aws.elb.target_status_code"] == .int(200))
                #expect(span.attributes["aws.elb.matched_rule_priority"] == .int(5))
                #expect(span.attributes["aws.elb.actions_executed"] == .string("forward"))
                #expect(span.attributes["user_agent.original"] == .string("test agent/1.0"))
                #expect(span.attributes["client.address"] == .string("127.0.0.1"))
                #expect(span.attributes["aws.elb.target_group_arn"]?.stringValue?.contains("targetgroup/gateway-primary/") == true)
                #expect(span.startTimeUnixNano / 1000 == server.startTimeUnixNano / 1000)
                #expect(span.endTimeUnixNano / 1000 == server.endTimeUnixNano / 1000)
            }
        }
    }

    @Test("a full buffer drops lines and counts them, never waits")
    func fullBufferDropsAndCounts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let writer = AccessLogWriter(
            settings: AccessLogSettings(directory: directory.path, gzip: false), loadBalancerName: "edge", address: "127.0.0.1",
            capacity: 3)
        let start = ContinuousClock.now
        for index in 0..<10 {
            writer.export(FinishedSpan(Span(
                traceID: TraceID(high: 1, low: UInt64(index + 1)), spanID: SpanID(UInt64(index + 1)), name: "GET", kind: .server,
                startTimeUnixNano: 1_700_000_000_000_000_000, endTimeUnixNano: 1_700_000_000_001_000_000,
                attributes: [Attribute(SemanticAttributes.httpResponseStatusCode, .int(404))])))
        }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(writer.metrics.linesDropped == 7)
        writer.finish()
        await writer.run()
        #expect(writer.metrics.lines == 3 && writer.metrics.files == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        try #require(files.count == 1 && files[0].hasSuffix(".log"))
        let text = try String(contentsOfFile: directory.file(files[0]), encoding: .utf8)
        let records = try text.split(separator: "\n").map { try ALBLogRecord(parsing: $0) }
        #expect(records.map { $0[.elbStatusCode] } == ["404", "404", "404"])
        #expect(records.map { $0[.targetProcessingTime] } == ["-1", "-1", "-1"], "not dispatched")
        #expect(records.first?[.traceID] == "Root=1-00000000-000000010000000000000001;Parent=0000000000000001;Sampled=0")
    }
}

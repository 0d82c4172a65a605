import Collector
import Foundation
import KeiroModel
import Store
import TestSupport
import Testing

@Suite struct ALBAccessLogTests {
    /// The example line of the ELB user guide (SPECS.md).
    static let example = #"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-""#

    @Test func theUserGuideExampleBecomesAnEdgeSpanInTheRootsTrace() throws {
        let (span, service) = try ALBAccessLogLine(Self.example).span()
        #expect(service == "app/my-loadbalancer/50dc6c495c0c9188")
        #expect(span.traceID == TraceID(hex: "5833726236d228ad5d99923122bbe354"))
        #expect(span.parentSpanID == nil)
        #expect(span.kind == .server)
        #expect(span.name == "GET")
        #expect(span.startTimeUnixNano == 1_530_570_168_364_000_000)
        #expect(span.endTimeUnixNano == 1_530_570_180_186_641_000)
        #expect(span.attributes[SemanticAttributes.httpResponseStatusCode] == .int(200))
        #expect(span.attributes[SemanticAttributes.urlFull] == .string("http://www.example.com:80/"))
        #expect(span.attributes[SemanticAttributes.urlPath] == .string("/"))
        #expect(span.attributes["client.address"] == .string("192.168.131.39"))
        #expect(span.attributes["user_agent.original"] == .string("curl/7.46.0"))
        #expect(span.attributes["aws.elb.target_processing_time"] == .double(0.001))
        #expect(span.attributes["aws.elb.actions_executed"] == .string("forward"))
        #expect(span.status.code == .unset)
    }

    @Test func aClientSuppliedParentAndNewerTrailingFieldsAreHandled() throws {
        let line = Self.example.replacingOccurrences(of: "\"Root=1-58337262-36d228ad5d99923122bbe354\"", with: "\"Self=1-58337263-aaaaaaaaaaaaaaaaaaaaaaaa;Root=1-58337262-36d228ad5d99923122bbe354;Parent=53995c3f42cd8ad8;Sampled=1\"")
            .replacingOccurrences(of: " 200 200 34", with: " 502 - 34") + #" "TLSv1.2" TID_123 "-" "new field""#
        let (span, _) = try ALBAccessLogLine(line).span()
        #expect(span.parentSpanID == SpanID(hex: "53995c3f42cd8ad8"))
        #expect(span.flags == 1)
        #expect(span.status.code == .error)
        #expect(span.attributes["aws.elb.target_status_code"] == nil)
    }

    @Test(arguments: [
        ("http 2018-07-02T22:23:00Z app/x 1.2.3.4:1", "fields"),
        (#"http 2018-07-02T22:23:00Z "unterminated"#, "unterminated"),
        (example.replacingOccurrences(of: "Root=1-58337262-36d228ad5d99923122bbe354", with: "-"), "no valid Root"),
    ])
    func malformedLinesSayWhy(line: String, reason: String) {
        #expect {
            _ = try ALBAccessLogLine(line).span()
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func aGzipLogFileIsStoredOnceEvenWhenIngestedTwice() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let second = Self.example.replacingOccurrences(of: "36d228ad5d99923122bbe354", with: "36d228ad5d99923122bbe355")
        let path = directory.file("123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.log.gz")
        try Data(try gzip(Array((Self.example + "\n" + second + "\nnot a log line\n").utf8))).write(to: URL(fileURLWithPath: path))
        try await withTemporaryStore { store throws in
            let first = try await ALBLogIngest().ingest(file: path, into: store)
            #expect(first.lines == 3)
            #expect(first.outcome.stored == 2)
            #expect(first.malformed.map(\.line) == [3])
            let again = try await ALBLogIngest().ingest(file: path, into: store)
            #expect(again.outcome == WriteOutcome(stored: 0, duplicates: 2))
            let trace = try await store.trace(TraceID(hex: "5833726236d228ad5d99923122bbe354")!)
            #expect(trace.count == 1)
            #expect(trace.first?.serviceName == "app/my-loadbalancer/50dc6c495c0c9188")
        }
    }
}

import KeiroModel
import Testing

@testable import Proxy

@Suite("Proxy header handling (no I/O)")
struct ProxyHeaderTests {
    @Test("hop-by-hop headers and those named in Connection are dropped")
    func hopByHop() {
        let fields: [(name: String, value: String)] = [
            ("host", "a"), ("connection", "keep-alive, X-Secret"), ("keep-alive", "timeout=5"),
            ("x-secret", "1"), ("transfer-encoding", "chunked"), ("te", "trailers"), ("upgrade", "h2c"),
            ("content-length", "3"), ("x-kept", "yes"),
        ]
        #expect(HopByHopHeaders.filter(fields).map(\.name) == ["host", "x-kept"])
        #expect(HopByHopHeaders.filter(fields, keepContentLength: true).map(\.name) == ["host", "content-length", "x-kept"])
    }

    @Test("generated request ids are lowercase version-4 UUIDs, all different")
    func requestIDs() {
        let ids = (0..<1_000).map { _ in ProxyRandom().uuidString() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let text = Array(id.utf8)
            #expect(text.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { text[$0] == UInt8(ascii: "-") })
            #expect(text[14] == UInt8(ascii: "4"))
            #expect(Array("89ab".utf8).contains(text[19]))
            #expect(text.enumerated().allSatisfy { [8, 13, 18, 23].contains($0.offset) || Array("0123456789abcdef".utf8).contains($0.element) })
        }
    }

    @Test("a valid traceparent is continued; invalid ones start a new trace")
    func traceparent() {
        let continued = RequestTraceContext(headers: [
            ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), ("tracestate", "k=v"),
        ])
        #expect(continued.traceID.hexString == "0af7651916cd43dd8448eb211c80319c")
        #expect(continued.parentSpanID?.hexString == "b7ad6b7169203331")
        #expect(continued.traceState == "k=v")
        #expect(continued.propagationHeaders(parent: SpanID(0xabc), serverSpan: SpanID(1)).map { "\($0.name): \($0.value)" } == [
            "traceparent: 00-0af7651916cd43dd8448eb211c80319c-0000000000000abc-01", "tracestate: k=v",
        ])
        for invalid in [
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
            "garbage",
        ] {
            let started = RequestTraceContext(headers: [("traceparent", invalid)])
            #expect(started.parentSpanID == nil, "\(invalid)")
            #expect(started.traceID.isValid)
            #expect(started.traceID.hexString != "0af7651916cd43dd8448eb211c80319c")
        }
        let unsampled = RequestTraceContext(headers: [("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")])
        #expect(unsampled.propagationHeaders(parent: SpanID(1), serverSpan: SpanID(2)).first?.value.hasSuffix("-00") == true)
    }

    @Test("B3 and X-Ray callers are continued and answered in their own style")
    func b3AndXRay() {
        let b3 = RequestTraceContext(headers: [("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1")])
        #expect(b3.traceID.hexString == "80f198ee56343ba864fe8b2a57d3eff7")
        #expect(b3.parentSpanID?.hexString == "e457b5a2e4d86bd1")
        let b3Headers = Dictionary(uniqueKeysWithValues: b3.propagationHeaders(parent: SpanID(0xabc), serverSpan: SpanID(0xdef)).map { ($0.name, $0.value) })
        #expect(b3Headers["traceparent"] == "00-80f198ee56343ba864fe8b2a57d3eff7-0000000000000abc-01")
        #expect(b3Headers["b3"] == "80f198ee56343ba864fe8b2a57d3eff7-0000000000000abc-1-0000000000000def")

        let xray = RequestTraceContext(headers: [("x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")])
        #expect(xray.traceID.hexString == "5759e988bd862e3fe1be46a994272793")
        let xrayHeaders = Dictionary(uniqueKeysWithValues: xray.propagationHeaders(parent: SpanID(0xabc), serverSpan: SpanID(1)).map { ($0.name, $0.value) })
        #expect(xrayHeaders["x-amzn-trace-id"] == "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000abc;Sampled=1")
    }

    @Test("A bare B3 decision carries over to the new trace: b3: 0 is forwarded unsampled")
    func bareB3DecisionIsKept() {
        let denied = RequestTraceContext(headers: [("b3", "0")])
        #expect(denied.parentSpanID == nil)
        let forwarded = denied.propagationHeaders(parent: SpanID(0xabc), serverSpan: SpanID(1)).first { $0.name == "traceparent" }
        #expect(forwarded?.value.hasSuffix("-0000000000000abc-00") == true)
        #expect(denied.flags & 1 == 0)
        let plain = RequestTraceContext(headers: [])
        #expect(plain.propagationHeaders(parent: SpanID(0xabc), serverSpan: SpanID(1)).first { $0.name == "traceparent" }?.value.hasSuffix("-01") == true)
    }

    @Test("The edge puts Self= in front of a caller's X-Amzn-Trace-Id, as an ALB does, and keeps its fields")
    func edgeAddsSelf() throws {
        let incoming = "Self=1-00000000-000000000000000000000000;Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1"
        let edge = RequestTraceContext(headers: [("X-Amzn-Trace-Id", incoming)], addingAmazonTraceID: true)
        #expect(edge.traceID.hexString == "5759e988bd862e3fe1be46a994272793")
        let headers = Dictionary(uniqueKeysWithValues: edge.propagationHeaders(parent: SpanID(0xabc), serverSpan: SpanID(1)).map { ($0.name, $0.value) })
        let forwarded = try #require(headers["x-amzn-trace-id"])
        let fields = forwarded.split(separator: ";").map(String.init)
        #expect(fields.count == 5)
        #expect(fields[0].hasPrefix("Self=1-") && fields[0] != "Self=1-00000000-000000000000000000000000")
        #expect(Array(fields.dropFirst()) == [
            "Root=1-5759e988-bd862e3fe1be46a994272793", "Parent=0000000000000abc", "Sampled=1", "Lineage=a87bd80c:1",
        ])
    }
}

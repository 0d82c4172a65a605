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

    @Test("a valid traceparent is continued; invalid ones start a new trace")
    func traceparent() {
        let continued = RequestTraceContext(
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "k=v")
        #expect(continued.traceID.hexString == "0af7651916cd43dd8448eb211c80319c")
        #expect(continued.parentSpanID?.hexString == "b7ad6b7169203331")
        #expect(continued.traceState == "k=v")
        #expect(continued.traceparent(parent: SpanID(0xabc)) == "00-0af7651916cd43dd8448eb211c80319c-0000000000000abc-01")
        for invalid in [
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
            "garbage",
        ] {
            let started = RequestTraceContext(traceparent: invalid, tracestate: nil)
            #expect(started.parentSpanID == nil, "\(invalid)")
            #expect(started.traceID.isValid)
            #expect(started.traceID.hexString != "0af7651916cd43dd8448eb211c80319c")
        }
        let unsampled = RequestTraceContext(traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", tracestate: nil)
        #expect(unsampled.traceparent(parent: SpanID(1)).hasSuffix("-00"))
    }
}

import KeiroModel
import Testing

@Suite struct IdentifierTests {
    @Test func traceIDRoundTripsThroughHexAndBytes() throws {
        let id = try #require(TraceID(hex: "4BF92F3577B34DA6A3CE929D0E0E4736"))
        #expect(id.hexString == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(id.bytes == [0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36])
        #expect(TraceID(bytes: id.bytes) == id)
    }

    @Test func sixtyFourBitTraceIDsHaveAZeroHighHalf() throws {
        let id = try #require(TraceID(hex: "a3ce929d0e0e4736"))
        #expect(id == TraceID(high: 0, low: 0xa3ce_929d_0e0e_4736))
        #expect(id.hexString == "0000000000000000a3ce929d0e0e4736")
    }

    @Test(arguments: ["", "abc", "4bf92f3577b34da6a3ce929d0e0e473", "4bf92f3577b34da6a3ce929d0e0e47zz", "AAAAAAAAAAAAAAAAAAAAAA=="])
    func malformedTraceIDsAreRejected(hex: String) {
        #expect(TraceID(hex: hex) == nil)
    }

    @Test func zeroIDsAreInvalid() {
        #expect(!TraceID.zero.isValid)
        #expect(!SpanID(0).isValid)
        #expect(SpanID(hex: "00f067aa0ba902b7")?.isValid == true)
        #expect(SpanID(bytes: [1, 2, 3]) == nil)
        #expect(TraceID(bytes: [UInt8](repeating: 1, count: 24)) == nil)
    }

    @Test func resourceFallsBackToUnknownService() {
        #expect(Resource().serviceName == "unknown_service")
        #expect(Resource(attributes: [Attribute("service.name", .string("bff"))]).serviceName == "bff")
    }

    @Test func utf8PrefixNeverSplitsAScalar() {
        #expect("héllo".prefix(utf8Bytes: 2) == "h")
        #expect("héllo".prefix(utf8Bytes: 3) == "hé")
        #expect("abc".prefix(utf8Bytes: 10) == "abc")
    }
}

import KeiroModel
import Testing

/// A deterministic generator: returns the given values in turn, then repeats them.
struct SequenceRandom: RandomNumberGenerator {
    var values: [UInt64]
    var index = 0

    init(_ values: [UInt64]) { self.values = values }

    mutating func next() -> UInt64 {
        defer { index = (index + 1) % values.count }
        return values[index]
    }
}

@Suite struct AmazonTraceIDTests {
    static let example = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    static let exampleTraceID = TraceID(hex: "5759e988bd862e3fe1be46a994272793")!

    @Test func parsesTheXRayExample() throws {
        let header = try #require(AmazonTraceID(header: Self.example))
        #expect(header.root == Self.exampleTraceID)
        #expect(header.parent == SpanID(0x5399_5c3f_42cd_8ad8))
        #expect(header.sampled == .sampled)
        #expect(header.isValid)
        #expect(header.headerValue == Self.example)
    }

    @Test(arguments: [
        ("1-5759e988-bd862e3fe1be46a994272793", "5759e988bd862e3fe1be46a994272793"),
        ("1-00000001-000000000000000000000000", "00000001000000000000000000000000"),
        ("1-67891233-abcdef012345678912345678", "67891233abcdef012345678912345678"),
    ])
    func rootMapsToTheW3CTraceIDAndBack(root: String, w3c: String) throws {
        let traceID = try #require(AmazonTraceID.traceID(root: root))
        #expect(traceID.hexString == w3c)
        #expect(AmazonTraceID.root(for: traceID) == root)
    }

    @Test(arguments: [
        "",
        "1-5759e988-bd862e3fe1be46a99427279",
        "1-5759e988-bd862e3fe1be46a9942727933",
        "2-5759e988-bd862e3fe1be46a994272793",
        "1_5759e988-bd862e3fe1be46a994272793",
        "1-5759e98-8bd862e3fe1be46a994272793",
        "1-5759e988-bd862e3fe1be46a99427279g",
        "1-00000000-000000000000000000000000",
    ])
    func rejectsMalformedRoots(root: String) {
        #expect(AmazonTraceID.traceID(root: root) == nil)
    }

    @Test(arguments: [
        "Root=1-5759e988-bd862e3fe1be46a994272793",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?",
        "Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678;CalledFrom=app",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:1|68fd508a:5",
    ])
    func headersRoundTripWithUnknownFieldsInOrder(header: String) throws {
        let parsed = try #require(AmazonTraceID(header: header))
        #expect(parsed.headerValue == header)
        #expect(parsed.isValid)
    }

    @Test func readsUnknownAndSelfFields() throws {
        let header = try #require(AmazonTraceID(header: "Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678;CalledFrom=app"))
        #expect(header.selfValue == "1-67891234-12456789abcdef012345678")
        #expect(header.value(for: "CalledFrom") == "app")
        #expect(header.fields.map(\.key) == ["Self", "Root", "CalledFrom"])
        #expect(header.parent == nil)
        #expect(header.sampled == nil)
    }

    @Test func toleratesSpacesAndEmptyFields() throws {
        let header = try #require(AmazonTraceID(header: " Root=1-5759e988-bd862e3fe1be46a994272793 ; Sampled=1;"))
        #expect(header.headerValue == "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
    }

    @Test(arguments: ["", ";", "Root", "=1-5759e988-bd862e3fe1be46a994272793"])
    func rejectsMalformedHeaders(header: String) {
        #expect(AmazonTraceID(header: header) == nil)
    }

    @Test func aHeaderWithoutAValidRootIsParsedButInvalid() throws {
        #expect(try #require(AmazonTraceID(header: "Parent=53995c3f42cd8ad8")).isValid == false)
        #expect(try #require(AmazonTraceID(header: "Root=garbage")).isValid == false)
    }

    @Test func settingParentReplacesInPlaceOrInsertsAfterRoot() throws {
        var withParent = try #require(AmazonTraceID(header: Self.example))
        withParent.parent = SpanID(0x00f0_67aa_0ba9_02b7)
        #expect(withParent.headerValue == "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=00f067aa0ba902b7;Sampled=1")

        var withoutParent = try #require(AmazonTraceID(header: "Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"))
        withoutParent.parent = SpanID(0x00f0_67aa_0ba9_02b7)
        #expect(withoutParent.headerValue == "Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793;Parent=00f067aa0ba902b7;Sampled=1")
    }

    // MARK: ALB

    static let now: UInt64 = 0x5759_e988
    static let randomValues: [UInt64] = [0xbd86_2e3f_e1be_46a9, 0x9427_2793_0000_0000 | 0x1234_5678]

    @Test func albAddsARootWhenAbsentOrInvalid() {
        for incoming in [nil, "", "garbage", "Root=1-bad", "Parent=53995c3f42cd8ad8"] as [String?] {
            var random = SequenceRandom(Self.randomValues)
            let header = AmazonTraceID.albHeader(incoming: incoming, now: Self.now, random: &random)
            #expect(header == "Root=1-5759e988-bd862e3fe1be46a912345678", "incoming \(String(describing: incoming))")
        }
    }

    @Test func albPrependsSelfAndKeepsTheRest() {
        var random = SequenceRandom(Self.randomValues)
        let header = AmazonTraceID.albHeader(incoming: Self.example + ";CalledFrom=app", now: 0x6789_1234, random: &random)
        #expect(header == "Self=1-67891234-bd862e3fe1be46a912345678;" + Self.example + ";CalledFrom=app")
    }

    @Test func albReplacesAnExistingSelf() {
        var random = SequenceRandom(Self.randomValues)
        let incoming = "Self=1-67891233-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678;CalledFrom=app"
        let header = AmazonTraceID.albHeader(incoming: incoming, now: 0x6789_1234, random: &random)
        #expect(header == "Self=1-67891234-bd862e3fe1be46a912345678;Root=1-67891233-abcdef012345678912345678;CalledFrom=app")
    }

    @Test func albRootsUseTheEpochAsEightHexDigits() throws {
        var random = SequenceRandom([1, 2])
        let header = AmazonTraceID.albHeader(incoming: nil, now: 0x1, random: &random)
        #expect(header == "Root=1-00000001-000000000000000100000002")
        let root = try #require(AmazonTraceID(header: header)?.root)
        #expect(root == TraceID(high: 0x0000_0001_0000_0000, low: 0x0000_0001_0000_0002))
    }
}

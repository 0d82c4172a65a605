import KeiroModel
import Testing

@Suite struct W3CTraceParentTests {
    static let example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func parsesTheSpecificationExample() throws {
        let parent = try #require(W3CTraceParent(header: Self.example))
        #expect(parent.version == 0)
        #expect(parent.traceID == TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736))
        #expect(parent.parentID == SpanID(0x00f0_67aa_0ba9_02b7))
        #expect(parent.flags == 0x01)
        #expect(parent.sampled)
    }

    @Test(arguments: [
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03",
        "00-00000000000000000000000000000001-0000000000000001-00",
    ])
    func roundTrips(header: String) throws {
        let parent = try #require(W3CTraceParent(header: header))
        #expect(parent.headerValue == header)
    }

    @Test(arguments: [
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "version ff"),
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", "zero trace id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "zero parent id"),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "uppercase trace id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01", "uppercase parent id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A", "uppercase flags"),
        ("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "uppercase version"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-x1", "bad flags"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", "short flags"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-001", "long flags"),
        ("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "short trace id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01", "long trace id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01", "short parent id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b77-01", "long parent id"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", "suffix on version 00"),
        ("0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "short version"),
        ("00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", "wrong separators"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", "non-hex flags"),
        ("", "empty"),
    ])
    func rejectsInvalidHeaders(header: String, why: String) {
        #expect(W3CTraceParent(header: header) == nil, "\(why)")
    }

    @Test func futureVersionsAreReadByTheirFirstFourFields() throws {
        let plain = try #require(W3CTraceParent(header: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(plain.version == 0xcc)
        let extended = try #require(W3CTraceParent(header: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds"))
        #expect(extended.traceID == plain.traceID)
        #expect(extended.parentID == plain.parentID)
        #expect(extended.sampled)
        // Formatting downgrades to the version this implementation speaks.
        #expect(extended.headerValue == Self.example)
        // The suffix must be separated by a dash.
        #expect(W3CTraceParent(header: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x") == nil)
    }

    @Test func unknownFlagsAreReadButNotForwarded() throws {
        let parent = try #require(W3CTraceParent(header: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09"))
        #expect(parent.flags == 0x09)
        #expect(parent.sampled)
        #expect(parent.headerValue == Self.example)
    }

    @Test func surroundingWhitespaceIsIgnored() {
        #expect(W3CTraceParent(header: " \(Self.example)\t")?.headerValue == Self.example)
    }
}

@Suite struct W3CTraceStateTests {
    @Test(arguments: [
        ("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
        ("  rojo=00f067aa0ba902b7 ", "rojo=00f067aa0ba902b7"),
        ("fw529a3039@dt=00f067aa0ba902b7", "fw529a3039@dt=00f067aa0ba902b7"),
        ("rojo=1,,congo=2", "rojo=1,,congo=2"),
        ("key=value with spaces", "key=value with spaces"),
        ("rojo=1 , congo=2", "rojo=1 , congo=2"),
    ])
    func keepsValidLists(header: String, kept: String) {
        #expect(W3CTraceState.normalized(header) == kept)
    }

    @Test(arguments: [
        ("", "empty"),
        ("  ", "blank"),
        (",", "only empty members"),
        ("Rojo=1", "uppercase key"),
        ("1abc=1", "key starting with a digit"),
        ("rojo", "no equals sign"),
        ("rojo=", "empty value"),
        ("rojo=a=b", "equals in value"),
        ("rojo=1,rojo=2", "duplicate key"),
        ("t@Sys=1", "uppercase system id"),
        ("t@systemidtoolong=1", "system id over 14 characters"),
        ("rojo=é", "non-ASCII value"),
    ])
    func dropsMalformedLists(header: String, why: String) {
        #expect(W3CTraceState.normalized(header) == nil, "\(why)")
    }

    @Test func allowsThirtyTwoMembersAndDropsThirtyThree() {
        let members = (0..<33).map { "k\($0)=v\($0)" }
        let thirtyTwo = members.prefix(32).joined(separator: ",")
        #expect(W3CTraceState.normalized(thirtyTwo) == thirtyTwo)
        #expect(W3CTraceState.normalized(members.joined(separator: ",")) == nil)
        // The limit applies across several headers joined together.
        #expect(W3CTraceState.normalized([thirtyTwo, "extra=1"]) == nil)
    }

    @Test func joinsSeveralHeadersInOrder() {
        #expect(W3CTraceState.normalized(["rojo=1", " congo=2", ""]) == "rojo=1,congo=2")
    }
}

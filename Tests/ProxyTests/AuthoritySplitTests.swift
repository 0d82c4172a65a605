@testable import Proxy
import Testing

/// `Host`/`:authority` → `server.address` and `server.port` of the SERVER span.
@Suite("Authority split")
struct AuthoritySplitTests {
    @Test("host and port, IPv6 literals, and authorities without a usable port")
    func split() {
        #expect(ServerSpanDraft.split(authority: "example.com:8080") == ("example.com", 8080))
        #expect(ServerSpanDraft.split(authority: "[::1]:80") == ("[::1]", 80))
        #expect(ServerSpanDraft.split(authority: "[::1]") == ("[::1]", nil))
        #expect(ServerSpanDraft.split(authority: "[fe80::1]") == ("[fe80::1]", nil))
        #expect(ServerSpanDraft.split(authority: "reviews") == ("reviews", nil))
        #expect(ServerSpanDraft.split(authority: "reviews:") == ("reviews:", nil))
        #expect(ServerSpanDraft.split(authority: "reviews:http") == ("reviews:http", nil))
        #expect(ServerSpanDraft.split(authority: "bücher.example:443") == ("bücher.example", 443))
    }
}

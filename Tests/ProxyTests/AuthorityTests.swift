@testable import Proxy
import Testing

/// `Host`/`:authority` → `server.address` and `server.port` of the SERVER span.
@Suite("Authority")
struct AuthorityTests {
    @Test("host and port, IPv6 literals, and authorities without a usable port")
    func split() {
        #expect(Authority.split("example.com:8080") == ("example.com", 8080))
        #expect(Authority.split("[::1]:80") == ("[::1]", 80))
        #expect(Authority.split("[::1]") == ("[::1]", nil))
        #expect(Authority.split("[fe80::1]") == ("[fe80::1]", nil))
        #expect(Authority.split("reviews") == ("reviews", nil))
        #expect(Authority.split("reviews:") == ("reviews:", nil))
        #expect(Authority.split("reviews:http") == ("reviews:http", nil))
        #expect(Authority.split("bücher.example:443") == ("bücher.example", 443))
    }
}

import KeiroModel
@testable import Store
import Testing

/// Which attribute keys enter the search index, and under which key.
@Suite struct IndexedAttributesTests {
    private let indexed = IndexedAttributes(configuration: StoreConfiguration(path: ":memory:"))

    @Test func openTelemetryKeysAreTheirOwnIndexKeys() {
        for key in [SemanticAttributes.httpRoute, SemanticAttributes.urlPath, SemanticAttributes.httpResponseStatusCode] {
            #expect(indexed.indexKey(for: key) == key)
        }
    }

    @Test func zipkinAndEnvoySpellingsJoinTheOpenTelemetryKeys() {
        #expect(indexed.indexKey(for: "http.path") == SemanticAttributes.urlPath)
        #expect(indexed.indexKey(for: "http.status_code") == SemanticAttributes.httpResponseStatusCode)
        #expect(indexed.indexKey(for: "guid:x-request-id") == "http.request.header.x-request-id")
    }

    @Test func configuredHeadersAndPrefixesOnly() {
        #expect(indexed.indexKey(for: "http.request.header.feature") == "http.request.header.feature")
        #expect(indexed.indexKey(for: "http.request.header.service-router-reviews") == "http.request.header.service-router-reviews")
        #expect(indexed.indexKey(for: "http.request.header.authorization") == nil)
    }

    @Test func keysOfTheSameLengthAsAnIndexedOneAreNot() {
        // Same UTF-8 lengths as url.path (8), http.path (9), http.route (10), http.status_code (16),
        // guid:x-request-id (17) and http.response.status_code (25).
        for key in ["url.full", "http.host", "http.roote", "http.status_text", "guid:x-request-ix", "http.response.status_kode"] {
            #expect(indexed.indexKey(for: key) == nil, "\(key)")
        }
        #expect(indexed.indexKey(for: "") == nil)
    }
}

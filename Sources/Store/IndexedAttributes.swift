import KeiroModel

/// Decides which span attributes go into the narrow search index and under which key.
/// OpenTelemetry names are the keys (`http.route`, `url.path`, `http.response.status_code`,
/// the request headers the configuration names); the Zipkin and Envoy spellings of the same
/// facts (`http.path`, `http.status_code`, `guid:x-request-id`) are indexed under them too.
struct IndexedAttributes: Sendable {
    /// Longest indexed value, in UTF-8 bytes; longer values are indexed by their prefix.
    static let maxValueLength = 256

    let headers: Set<String>
    let headerPrefixes: [String]

    init(configuration: StoreConfiguration) {
        headers = Set(configuration.indexedHeaders.map { $0.lowercased() })
        headerPrefixes = configuration.indexedHeaderPrefixes.map { $0.lowercased() }
    }

    /// The index key for an attribute key, or `nil` when it is not indexed. Runs for every
    /// attribute of every ingested span: the UTF-8 length picks the one fixed key to compare.
    func indexKey(for attributeKey: String) -> String? {
        switch attributeKey.utf8.count {
        case 8 where attributeKey == SemanticAttributes.urlPath: return attributeKey
        case 9 where attributeKey == "http.path": return SemanticAttributes.urlPath
        case 10 where attributeKey == SemanticAttributes.httpRoute: return attributeKey
        case 16 where attributeKey == "http.status_code": return SemanticAttributes.httpResponseStatusCode
        case 17 where attributeKey == "guid:x-request-id": return Self.requestIDKey
        case 25 where attributeKey == SemanticAttributes.httpResponseStatusCode: return attributeKey
        default: break
        }
        guard attributeKey.hasPrefix(SemanticAttributes.requestHeaderPrefix) else { return nil }
        let header = attributeKey.dropFirst(SemanticAttributes.requestHeaderPrefix.count)
        if headers.contains(String(header)) || headerPrefixes.contains(where: { header.hasPrefix($0) }) {
            return attributeKey
        }
        return nil
    }

    private static let requestIDKey = SemanticAttributes.requestHeaderPrefix + "x-request-id"

    /// Calls `body` with every (index key, value) pair of a span: its name, then its indexed attributes.
    func forEachEntry(of span: Span, _ body: (String, String) throws -> Void) rethrows {
        try body(SearchKeys.spanName, span.name.prefix(utf8Bytes: Self.maxValueLength))
        for attribute in span.attributes {
            guard let key = indexKey(for: attribute.key) else { continue }
            switch attribute.value {
            case .array(let values):
                for value in values { try body(key, value.displayString.prefix(utf8Bytes: Self.maxValueLength)) }
            case let value:
                try body(key, value.displayString.prefix(utf8Bytes: Self.maxValueLength))
            }
        }
    }
}

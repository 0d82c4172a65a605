import KeiroModel

/// Decides which span attributes go into the narrow search index and under which key.
/// OpenTelemetry names are the keys; the Zipkin and Envoy spellings of the same facts
/// (`http.path`, `http.status_code`, `guid:x-request-id`) are indexed under them too.
struct IndexedAttributes: Sendable {
    /// Longest indexed value, in UTF-8 bytes; longer values are indexed by their prefix.
    static let maxValueLength = 256

    private static let fixedKeys: [String: String] = [
        SemanticAttributes.httpRoute: SemanticAttributes.httpRoute,
        SemanticAttributes.urlPath: SemanticAttributes.urlPath,
        SemanticAttributes.httpResponseStatusCode: SemanticAttributes.httpResponseStatusCode,
        "http.path": SemanticAttributes.urlPath,
        "http.status_code": SemanticAttributes.httpResponseStatusCode,
        "guid:x-request-id": SemanticAttributes.requestHeaderPrefix + "x-request-id",
    ]

    let headers: Set<String>
    let headerPrefixes: [String]

    init(configuration: StoreConfiguration) {
        headers = Set(configuration.indexedHeaders.map { $0.lowercased() })
        headerPrefixes = configuration.indexedHeaderPrefixes.map { $0.lowercased() }
    }

    /// The index key for an attribute key, or `nil` when it is not indexed.
    func indexKey(for attributeKey: String) -> String? {
        if let fixed = Self.fixedKeys[attributeKey] { return fixed }
        guard attributeKey.hasPrefix(SemanticAttributes.requestHeaderPrefix) else { return nil }
        let header = attributeKey.dropFirst(SemanticAttributes.requestHeaderPrefix.count)
        if headers.contains(String(header)) || headerPrefixes.contains(where: { header.hasPrefix($0) }) {
            return attributeKey
        }
        return nil
    }

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

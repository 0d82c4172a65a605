import KeiroModel

/// What `SpanStore.findTraces` looks for: every given filter must hold (AND).
///
/// Indexed filters — service, operation, route, path prefix, request headers, status
/// code, flags — are answered from the search index; trace duration, errors and time
/// range from the per-trace summary; span duration by reading the candidate traces.
public struct TraceQuery: Hashable, Sendable {
    /// The order of results; ties are broken by trace id.
    public enum Order: String, Hashable, Sendable, CaseIterable {
        case newest, oldest, longest, shortest
    }

    /// A span of the trace was reported by this service.
    public var service: String?
    /// A span of the trace has this name (e.g. `GET /search`).
    public var operation: String?
    /// A span of the trace has this `http.route`.
    public var route: String?
    /// A span of the trace has a `url.path` starting with this prefix.
    public var pathPrefix: String?
    /// Request headers (lowercase name → exact value) a span recorded; the headers must be
    /// indexed (collector config `indexedHeaders` / `indexedHeaderPrefixes`).
    public var headers: [String: String]
    /// A span of the trace answered with this HTTP status code.
    public var statusCode: Int?
    /// The trace has at least one span with status ERROR.
    public var errorsOnly: Bool
    /// Whole-trace duration bounds, inclusive, in nanoseconds.
    public var minDuration: UInt64?
    public var maxDuration: UInt64?
    /// Some span lasted at least this long (of the given service/operation when those are
    /// set, as in Jaeger).
    public var minSpanDuration: UInt64?
    /// Analyzer flags the trace must carry (e.g. `retried`, `timeout`, `canary`).
    public var flags: Set<String>
    /// The trace started at or after / before this time (unix ns).
    public var startAfter: UInt64?
    public var startBefore: UInt64?
    public var limit: Int
    public var order: Order

    public init(
        service: String? = nil, operation: String? = nil, route: String? = nil, pathPrefix: String? = nil,
        headers: [String: String] = [:], statusCode: Int? = nil, errorsOnly: Bool = false, minDuration: UInt64? = nil,
        maxDuration: UInt64? = nil, minSpanDuration: UInt64? = nil, flags: Set<String> = [], startAfter: UInt64? = nil,
        startBefore: UInt64? = nil, limit: Int = 20, order: Order = .newest
    ) {
        self.service = service
        self.operation = operation
        self.route = route
        self.pathPrefix = pathPrefix
        self.headers = headers
        self.statusCode = statusCode
        self.errorsOnly = errorsOnly
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.minSpanDuration = minSpanDuration
        self.flags = flags
        self.startAfter = startAfter
        self.startBefore = startBefore
        self.limit = limit
        self.order = order
    }

    /// Conditions on the search index: (index key, exact value or prefix).
    var searchTerms: [SearchTerm] {
        var terms: [SearchTerm] = []
        if let service { terms.append(SearchTerm(key: SemanticAttributes.serviceName, value: service)) }
        if let operation { terms.append(SearchTerm(key: SearchKeys.spanName, value: operation)) }
        if let route { terms.append(SearchTerm(key: SemanticAttributes.httpRoute, value: route)) }
        if let pathPrefix { terms.append(SearchTerm(key: SemanticAttributes.urlPath, value: pathPrefix, isPrefix: true)) }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            terms.append(SearchTerm(key: SemanticAttributes.requestHeaderPrefix + name.lowercased(), value: value))
        }
        if let statusCode { terms.append(SearchTerm(key: SemanticAttributes.httpResponseStatusCode, value: String(statusCode))) }
        for flag in flags.sorted() { terms.append(SearchTerm(key: SearchKeys.flag, value: flag)) }
        return terms
    }

    /// Whether some span satisfies `minSpanDuration` (with service/operation, as Jaeger).
    func admits(_ spans: [StoredSpan]) -> Bool {
        guard let minSpanDuration else { return true }
        return spans.contains { stored in
            stored.span.durationNanos >= minSpanDuration && (service.map { $0 == stored.serviceName } ?? true)
                && (operation.map { $0 == stored.span.name } ?? true)
        }
    }
}

/// One condition on the search index.
struct SearchTerm: Hashable, Sendable {
    var key: String
    var value: String
    var isPrefix = false
}

/// Search keys that are not span attribute names.
public enum SearchKeys {
    /// A span's name, so traces can be found by operation.
    public static let spanName = "span.name"
    /// An analyzer flag of the trace (`retried`, `timeout` …).
    public static let flag = "keiro.flag"
}

/// One match block: every condition in it must hold (AND). A route matches when any of its
/// blocks matches (OR), Istio's `HTTPMatchRequest` semantics.
public struct RouteMatch: Sendable, Hashable {
    /// A named condition on a header or query parameter.
    public struct Parameter: Sendable, Hashable {
        /// Header name (lowercase) or query parameter name.
        public var name: String
        /// The condition on its value.
        public var match: StringMatch

        /// Creates a parameter condition.
        public init(name: String, match: StringMatch) {
            self.name = name
            self.match = match
        }
    }

    /// Optional label (Istio `match[].name`), shown by `routes explain`.
    public var name: String?
    /// Condition on the path (query string removed). `ignoreUriCase` is folded into it.
    public var uri: StringMatch?
    /// Condition on the scheme (`http`/`https`).
    public var scheme: StringMatch?
    /// Condition on the method.
    public var method: StringMatch?
    /// Condition on `:authority`/`Host`.
    public var authority: StringMatch?
    /// Headers that must match.
    public var headers: [Parameter]
    /// Headers that must not match (Envoy `invert_match`, a missing header counts as empty).
    public var withoutHeaders: [Parameter]
    /// Query parameters that must match.
    public var queryParams: [Parameter]

    /// Creates a match block.
    public init(
        name: String? = nil,
        uri: StringMatch? = nil,
        scheme: StringMatch? = nil,
        method: StringMatch? = nil,
        authority: StringMatch? = nil,
        headers: [Parameter] = [],
        withoutHeaders: [Parameter] = [],
        queryParams: [Parameter] = []
    ) {
        self.name = name
        self.uri = uri
        self.scheme = scheme
        self.method = method
        self.authority = authority
        self.headers = headers
        self.withoutHeaders = withoutHeaders
        self.queryParams = queryParams
    }

    /// Whether the block has no condition at all (Istio rejects such blocks).
    public var isEmpty: Bool {
        uri == nil && scheme == nil && method == nil && authority == nil
            && headers.isEmpty && withoutHeaders.isEmpty && queryParams.isEmpty
    }

    /// The first condition of this block that `request` fails, or `nil` when it matches.
    /// Conditions are checked cheapest first: method, uri, headers, query, the rest.
    @inlinable
    public func mismatch(_ request: RouteRequest) -> Mismatch? {
        if let method, !method.matches(request.method) {
            return Mismatch(condition: .method(method), actual: request.method)
        }
        if let uri, !uri.matches(request.path) {
            return Mismatch(condition: .uri(uri), actual: request.path)
        }
        for header in headers {
            let value = request.header(header.name)
            if !header.match.matches(value) {
                return Mismatch(condition: .header(header), actual: value)
            }
        }
        for header in withoutHeaders {
            let value = request.header(header.name)
            // Istio sets treat_missing_header_as_empty on inverted value matchers.
            let matched = header.match == .present ? value != nil : header.match.matches(value ?? "")
            if matched {
                return Mismatch(condition: .withoutHeader(header), actual: value)
            }
        }
        for parameter in queryParams {
            let value = request.queryParameter(parameter.name)
            if !parameter.match.matches(value) {
                return Mismatch(condition: .queryParam(parameter), actual: value)
            }
        }
        if let authority, !authority.matches(request.authority) {
            return Mismatch(condition: .authority(authority), actual: request.authority)
        }
        if let scheme, !scheme.matches(request.scheme) {
            return Mismatch(condition: .scheme(scheme), actual: request.scheme)
        }
        return nil
    }

    /// Whether `request` satisfies every condition of this block.
    @inlinable
    public func matches(_ request: RouteRequest) -> Bool { mismatch(request) == nil }

    /// Which condition failed and what the request had instead.
    public struct Mismatch: Sendable, Hashable, CustomStringConvertible {
        /// A condition of a match block.
        public enum Condition: Sendable, Hashable {
            case uri(StringMatch)
            case scheme(StringMatch)
            case method(StringMatch)
            case authority(StringMatch)
            case header(Parameter)
            case withoutHeader(Parameter)
            case queryParam(Parameter)
        }

        /// The condition that failed.
        public var condition: Condition
        /// The request's value (nil when absent).
        public var actual: String?

        @usableFromInline
        init(condition: Condition, actual: String?) {
            self.condition = condition
            self.actual = actual
        }

        /// e.g. `header feature: wanted exact "v1", got "v2"`.
        public var description: String {
            let got = actual.map { "\"\($0)\"" } ?? "nothing"
            switch condition {
            case .uri(let match): return "uri: wanted \(match), got \(got)"
            case .scheme(let match): return "scheme: wanted \(match), got \(got)"
            case .method(let match): return "method: wanted \(match), got \(got)"
            case .authority(let match): return "authority: wanted \(match), got \(got)"
            case .header(let parameter): return "header \(parameter.name): wanted \(parameter.match), got \(got)"
            case .withoutHeader(let parameter): return "withoutHeaders \(parameter.name): must not be \(parameter.match), got \(got)"
            case .queryParam(let parameter): return "query \(parameter.name): wanted \(parameter.match), got \(got)"
            }
        }
    }
}

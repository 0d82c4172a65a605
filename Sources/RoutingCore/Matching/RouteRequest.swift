/// The parts of an HTTP request that routing looks at. Header names are lowercased on the
/// way in; repeated headers are joined with `,` for matching, as Envoy does.
public struct RouteRequest: Sendable, Hashable {
    /// One header line.
    public struct Field: Sendable, Hashable {
        /// Lowercased header name.
        public var name: String
        /// Raw value.
        public var value: String
    }

    /// Request method (`GET`), matched case-sensitively as Envoy does.
    public var method: String
    /// The path without the query string (`/search/items`).
    public var path: String
    /// Raw query parameters in order (`?a=1&b` gives `a=1`, `b=`); not percent-decoded.
    public var queryParameters: [Field]
    /// `:authority`/`Host`, when known.
    public var authority: String?
    /// `http` or `https`.
    public var scheme: String
    /// Header fields with lowercased names.
    public var headers: [Field]

    /// Creates a request from a request target (`/search?q=1`) and header pairs.
    public init(
        method: String = "GET",
        target: String,
        authority: String? = nil,
        scheme: String = "http",
        headers: [(name: String, value: String)] = []
    ) {
        self.method = method
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            queryParameters = Self.parseQuery(target[target.index(after: mark)...])
        } else {
            path = target
            queryParameters = []
        }
        self.scheme = scheme
        self.headers = headers.map { Field(name: $0.name.lowercased(), value: $0.value) }
        self.authority = authority ?? self.headers.first { $0.name == "host" }?.value
    }

    /// The value of header `name` (lowercase), repeated lines joined with `,`; nil if absent.
    @inlinable
    public func header(_ name: String) -> String? {
        var found: String?
        for field in headers where field.name == name {
            found = found.map { "\($0),\(field.value)" } ?? field.value
        }
        return found
    }

    /// The first value of query parameter `name`; nil if absent.
    @inlinable
    public func queryParameter(_ name: String) -> String? {
        queryParameters.first { $0.name == name }?.value
    }

    /// The value of cookie `name` from the `cookie` header(s); nil if absent.
    public func cookie(_ name: String) -> String? {
        for field in headers where field.name == "cookie" {
            for pair in field.value.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                if let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name {
                    return String(trimmed[trimmed.index(after: equals)...])
                }
            }
        }
        return nil
    }

    private static func parseQuery(_ query: Substring) -> [Field] {
        query.split(separator: "&").map { pair in
            if let equals = pair.firstIndex(of: "=") {
                Field(name: String(pair[..<equals]), value: String(pair[pair.index(after: equals)...]))
            } else {
                Field(name: String(pair), value: "")
            }
        }
    }
}

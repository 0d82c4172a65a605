/// Headers that describe one connection rather than the message (RFC 9110 §7.6.1), which
/// a proxy must not forward: the fixed list plus any header named in `Connection`.
/// Framing headers (`content-length`, `transfer-encoding`) are re-derived by the side that
/// writes the message, so they are dropped here too.
enum HopByHopHeaders {
    static let names: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-authenticate", "proxy-authorization", "content-length",
    ]

    /// `fields` (lowercase names) without hop-by-hop headers; `keepContentLength` keeps a
    /// response's `content-length`, which the proxy relays unchanged.
    ///
    /// Runs on every request: it reads the fixed list in place and collects only the names
    /// `Connection` adds (usually just `keep-alive`).
    static func filter(_ fields: [(name: String, value: String)], keepContentLength: Bool = false) -> [(name: String, value: String)] {
        var nominated: [String] = []
        for field in fields where field.name == "connection" {
            nominated += Self.nominated(by: field.value.split(separator: ","))
        }
        return fields.filter { !isHopByHop($0.name, nominated: nominated, keepContentLength: keepContentLength) }
    }

    /// The lowercase header names listed in `Connection` values (its comma-separated tokens).
    static func nominated(by tokens: [Substring]) -> [String] {
        tokens.map { $0.trimmingSpacesAndTabs().lowercased() }
    }

    /// Whether the header `name` (lowercase) is not forwarded: on the fixed list or
    /// `nominated` by `Connection`; `keepContentLength` keeps `content-length`.
    static func isHopByHop(_ name: String, nominated: [String], keepContentLength: Bool) -> Bool {
        if !nominated.isEmpty, nominated.contains(name) { return true }
        if keepContentLength, name == "content-length" { return false }
        return names.contains(name)
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (optional whitespace around list items).
    fileprivate func trimmingSpacesAndTabs() -> Substring {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var utf8 = self.utf8[...]
        while let first = utf8.first, isSpace(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, isSpace(last) { utf8 = utf8.dropLast() }
        return Substring(utf8)
    }
}

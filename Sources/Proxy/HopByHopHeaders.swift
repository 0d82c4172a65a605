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
    static func filter(_ fields: [(name: String, value: String)], keepContentLength: Bool = false) -> [(name: String, value: String)] {
        var dropped = names
        if keepContentLength { dropped.remove("content-length") }
        for field in fields where field.name == "connection" {
            for token in field.value.split(separator: ",") {
                dropped.insert(token.trimmingCharacters(in: " \t").lowercased())
            }
        }
        return fields.filter { !dropped.contains($0.name) }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

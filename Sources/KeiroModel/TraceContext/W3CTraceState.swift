/// The W3C Trace Context `tracestate` header: a list of at most 32 `key=value` members.
///
/// The list stays a string (Keiro never edits vendor entries), but it is validated so that a
/// malformed or oversized list is dropped rather than forwarded, as the specification asks
/// of a vendor that cannot parse it.
public enum W3CTraceState {
    /// The most list members a valid `tracestate` may hold.
    public static let maxMembers = 32

    /// The value to keep for one or more received `tracestate` header values (joined with
    /// `,` in order): the joined list with surrounding whitespace trimmed, or `nil` when it
    /// is empty, has more than 32 non-empty members, a malformed member or a duplicate key.
    public static func normalized<S: StringProtocol>(_ values: [S]) -> String? {
        let joined = values.map { String($0.trimmingOWS) }.filter { !$0.isEmpty }.joined(separator: ",")
        guard !joined.isEmpty else { return nil }
        var keys = Set<Substring>()
        for rawMember in joined.split(separator: ",", omittingEmptySubsequences: false) {
            let member = rawMember.trimmingOWS
            if member.isEmpty { continue }  // empty members are allowed and ignored
            guard let equals = member.firstIndex(of: "=") else { return nil }
            let key = member[..<equals], value = member[member.index(after: equals)...]
            guard isValidKey(key), isValidValue(value), keys.insert(key).inserted, keys.count <= maxMembers else { return nil }
        }
        return keys.isEmpty ? nil : joined
    }

    /// Validates one `tracestate` value; the single-header convenience for ``normalized(_:)``.
    public static func normalized<S: StringProtocol>(_ value: S) -> String? {
        normalized([value])
    }

    /// `simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")` or
    /// `tenant-id "@" system-id` (tenant: lcalpha/DIGIT then up to 240 more; system:
    /// lcalpha then up to 13 more).
    static func isValidKey(_ key: Substring) -> Bool {
        func isKeyChar(_ c: UInt8) -> Bool {
            isLowerAlpha(c) || isDigit(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "*") || c == UInt8(ascii: "/")
        }
        let bytes = Array(key.utf8)
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            let tenant = bytes[..<at], system = bytes[(at + 1)...]
            guard let t0 = tenant.first, isLowerAlpha(t0) || isDigit(t0), tenant.count <= 241, tenant.allSatisfy(isKeyChar),
                  let s0 = system.first, isLowerAlpha(s0), system.count <= 14, system.allSatisfy(isKeyChar)
            else { return false }
            return true
        }
        guard let first = bytes.first, isLowerAlpha(first), bytes.count <= 256 else { return false }
        return bytes.allSatisfy(isKeyChar)
    }

    /// `value = 0*255(chr) nblk-chr`, where `chr` is printable ASCII except `,` and `=`
    /// (space allowed inside) and the last character is not a space.
    static func isValidValue(_ value: Substring) -> Bool {
        let bytes = Array(value.utf8)
        guard let last = bytes.last, last != UInt8(ascii: " "), bytes.count <= 256 else { return false }
        return bytes.allSatisfy { (0x20...0x7e).contains($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "=") }
    }

    private static func isLowerAlpha(_ c: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) }
    private static func isDigit(_ c: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) }
}

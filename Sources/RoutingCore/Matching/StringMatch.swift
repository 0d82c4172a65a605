/// One string condition, Istio's `StringMatch` plus header presence:
/// `exact`, `prefix`, `regex` (RE2, whole string) or `present` (`{}` in a header match).
public enum StringMatch: Sendable, Hashable, CustomStringConvertible {
    /// Equal to the text; ASCII case-insensitive when `ignoringCase` (Istio `ignoreUriCase`,
    /// ALB header and query values).
    case exact(String, ignoringCase: Bool = false)
    /// Starts with the text.
    case prefix(String, ignoringCase: Bool = false)
    /// The whole value matches the expression.
    case regex(MatchRegex)
    /// The value exists (any content, even empty).
    case present

    /// Whether `value` (nil when the header/parameter is absent) satisfies the condition.
    @inlinable
    public func matches(_ value: String?) -> Bool {
        guard let value else { return false }
        switch self {
        case .exact(let text, let ignoringCase):
            return ignoringCase ? ASCII.equalsIgnoringCase(value, text) : value == text
        case .prefix(let text, let ignoringCase):
            return ignoringCase ? ASCII.hasPrefixIgnoringCase(value, text) : value.utf8.starts(with: text.utf8)
        case .regex(let regex):
            return regex.wholeMatch(value)
        case .present:
            return true
        }
    }

    /// `exact "v1"`, `prefix "/api" (any case)`, `regex "v[0-9]+"`, `present`.
    public var description: String {
        switch self {
        case .exact(let text, let ignoringCase): "exact \"\(text)\"\(ignoringCase ? " (any case)" : "")"
        case .prefix(let text, let ignoringCase): "prefix \"\(text)\"\(ignoringCase ? " (any case)" : "")"
        case .regex(let regex): "regex \"\(regex.pattern)\"\(regex.caseInsensitive ? " (any case)" : "")"
        case .present: "present"
        }
    }
}

/// ASCII case folding on UTF-8, as Envoy does for case-insensitive matches.
@usableFromInline
enum ASCII {
    @inlinable
    static func lower(_ byte: UInt8) -> UInt8 {
        (byte &- 65) < 26 ? byte | 0x20 : byte
    }

    @inlinable
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && hasPrefixIgnoringCase(a, b)
    }

    @inlinable
    static func hasPrefixIgnoringCase(_ value: String, _ prefix: String) -> Bool {
        var iterator = value.utf8.makeIterator()
        for byte in prefix.utf8 {
            guard let other = iterator.next(), lower(other) == lower(byte) else { return false }
        }
        return true
    }
}

import Foundation

/// A regular expression compiled once at load time and always matched against the
/// **whole** string, as Envoy's `safe_regex` (RE2) does.
///
/// Keiro compiles with ICU (`NSRegularExpression`) and rejects the constructs RE2 does not
/// accept (look-around, back-references, atomic groups, possessive quantifiers,
/// conditionals), so a pattern that loads here also loads in Envoy. Remaining differences
/// are documented in `docs/ROUTING.md`.
public struct MatchRegex: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    /// Whether letters match regardless of case.
    public let caseInsensitive: Bool
    private let compiled: NSRegularExpression

    /// Compiles `pattern`; throws ``Problem`` when it does not compile or is not RE2 syntax.
    public init(_ pattern: String, caseInsensitive: Bool = false) throws(Problem) {
        if let construct = Self.nonRE2Construct(in: pattern) {
            throw Problem(message: "regex '\(pattern)' uses \(construct), which RE2 (Envoy) does not support")
        }
        do {
            compiled = try NSRegularExpression(
                pattern: "\\A(?:\(pattern))\\z",
                options: caseInsensitive ? [.caseInsensitive] : []
            )
        } catch {
            throw Problem(message: "regex '\(pattern)' does not compile")
        }
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
    }

    /// Why a pattern was rejected.
    public struct Problem: Error, Sendable {
        /// Human-readable reason.
        public let message: String
    }

    /// Whether the whole of `value` matches.
    public func wholeMatch(_ value: String) -> Bool {
        let range = NSRange(location: 0, length: value.utf16.count)
        return compiled.firstMatch(in: value, options: [.anchored], range: range) != nil
    }

    public var description: String { pattern }

    /// A literal text every whole match must start with (`/items/` for `/items/[0-9]+`),
    /// used to index regex routes in the path trie; empty when none can be proven (case
    /// folding, alternation, a leading group or class, an optional first character).
    public var literalPrefix: String {
        guard !caseInsensitive, !pattern.contains("|") else { return "" }
        var prefix: [Unicode.Scalar] = []
        for scalar in pattern.unicodeScalars {
            if "\\^$.|?*+()[]{}".unicodeScalars.contains(scalar) {
                if "?*{".unicodeScalars.contains(scalar), !prefix.isEmpty { prefix.removeLast() }
                break
            }
            prefix.append(scalar)
        }
        return String(String.UnicodeScalarView(prefix))
    }

    /// `literal` with every regex metacharacter escaped.
    public static func escaped(_ literal: String) -> String {
        var result = ""
        for char in literal {
            if "\\^$.|?*+()[]{}".contains(char) { result.append("\\") }
            result.append(char)
        }
        return result
    }

    public static func == (lhs: MatchRegex, rhs: MatchRegex) -> Bool {
        lhs.pattern == rhs.pattern && lhs.caseInsensitive == rhs.caseInsensitive
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
        hasher.combine(caseInsensitive)
    }

    /// The first construct RE2 rejects, described for an error message, or `nil`.
    static func nonRE2Construct(in pattern: String) -> String? {
        let scalars = Array(pattern.unicodeScalars)
        var index = 0
        var inClass = false
        while index < scalars.count {
            let char = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if char == "\\", let next {
                if !inClass, ("1"..."9").contains(next) { return "a back-reference (\\\(next))" }
                if !inClass, next == "k" { return "a named back-reference (\\k)" }
                index += 2
                continue
            }
            if inClass {
                if char == "]" { inClass = false }
            } else if char == "[" {
                inClass = true
                if next == "]" { index += 1 }  // a literal ']' first in the class
            } else if char == "(", next == "?" {
                let rest = String(String.UnicodeScalarView(scalars[(index + 2)...].prefix(3)))
                if rest.hasPrefix("=") || rest.hasPrefix("!") { return "a look-ahead (?\(rest.prefix(1))" + ")" }
                if rest.hasPrefix("<=") || rest.hasPrefix("<!") { return "a look-behind (?\(rest.prefix(2))" + ")" }
                if rest.hasPrefix(">") { return "an atomic group (?>)" }
                if rest.hasPrefix("(") { return "a conditional (?(…)" }
            } else if ["*", "+", "?", "}"].contains(char), next == "+" {
                return "a possessive quantifier (\(char)+)"
            }
            index += 1
        }
        return nil
    }
}

/// Reads Istio `StringMatch` values (`{exact: v}`, `{prefix: v}`, `{regex: v}`) and, where
/// allowed, `{}` for "present" and a bare string for `exact`.
enum StringMatchParser {
    struct Options {
        /// `{}` means the value must be present (header matches).
        var allowPresent = false
        /// A plain string means `exact` (Keiro's gateway shape, not Istio's).
        var allowShorthand = false
        /// `prefix` is allowed (Istio forbids it for query parameters).
        var allowPrefix = true
        /// exact/prefix compare ASCII case-insensitively (Istio `ignoreUriCase`).
        var ignoringCase = false
    }

    static func parse(_ node: ConfigNode, _ options: Options) -> StringMatch? {
        if options.allowShorthand, node.node.scalar != nil {
            return node.string().map { .exact($0, ignoringCase: options.ignoringCase) }
        }
        let allowed: Set<String> = options.allowPrefix ? ["exact", "prefix", "regex"] : ["exact", "regex"]
        let unsupported = options.allowPrefix ? [:] : ["prefix": "Istio does not support prefix matching here; use regex"]
        guard let fields = node.fields(allowed: allowed, unsupported: unsupported) else { return nil }
        let written = node.node.mapping?.count ?? 0
        if written == 0, options.allowPresent { return .present }
        guard fields.count == written else { return nil }  // unknown keys were reported
        let choices = allowed.sorted().joined(separator: ", ")
        guard fields.count == 1, let (kind, value) = fields.first else {
            let found = fields.isEmpty ? "nothing" : fields.keys.sorted().joined(separator: " and ")
            node.fail(.invalidStringMatch, "give exactly one of \(choices); found \(found)")
            return nil
        }
        guard let text = value.string() else { return nil }
        switch kind {
        case "exact": return .exact(text, ignoringCase: options.ignoringCase)
        case "prefix": return .prefix(text, ignoringCase: options.ignoringCase)
        default: return regex(text, at: value)
        }
    }

    /// Compiles a regex for a match, recording an error when it is invalid.
    static func regex(_ pattern: String, at node: ConfigNode, caseInsensitive: Bool = false) -> StringMatch? {
        do {
            return .regex(try MatchRegex(pattern, caseInsensitive: caseInsensitive))
        } catch {
            node.fail(.invalidRegex, error.message)
            return nil
        }
    }

    /// An ALB condition value with `*` (any run) and `?` (one character) wildcards.
    static func glob(_ pattern: String, ignoringCase: Bool, at node: ConfigNode) -> StringMatch? {
        let wildcards = pattern.filter { $0 == "*" || $0 == "?" }
        if wildcards.isEmpty { return .exact(pattern, ignoringCase: ignoringCase) }
        if wildcards == "*", pattern.hasSuffix("*") {
            return .prefix(String(pattern.dropLast()), ignoringCase: ignoringCase)
        }
        var regex = ""
        for char in pattern {
            switch char {
            case "*": regex += ".*"
            case "?": regex += "."
            default: regex += MatchRegex.escaped(String(char))
            }
        }
        return self.regex(regex, at: node, caseInsensitive: ignoringCase)
    }
}

import KeiroModel
import Yams

/// A YAML/JSON node plus where it came from (file, line, column, field path), with typed
/// accessors that record a ``ConfigError`` and return `nil` when the value has the wrong
/// type. Every parser in this module reads configuration through it, so every error can
/// point at `file:line:column` and name the field.
struct ConfigNode {
    let node: Node
    /// Dotted field path from the document root (`spec.http[0].route`).
    let path: String
    let file: String
    let diagnostics: Diagnostics

    var location: SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    /// Records a problem at this node.
    func fail(_ code: ConfigError.Code, _ message: String) {
        diagnostics.record(code, at: location, field: path, message)
    }

    private var kindName: String {
        switch node {
        case .scalar(let scalar): node.null != nil ? "nothing (null)" : "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private func wrongType(_ expected: String) {
        fail(.wrongType, "expected \(expected), found \(kindName)")
    }

    private func child(_ node: Node, _ component: String) -> ConfigNode {
        ConfigNode(node: node, path: path.isEmpty ? component : "\(path).\(component)", file: file, diagnostics: diagnostics)
    }

    // MARK: - Containers

    /// The key/value pairs of a mapping, in file order; records an error for a non-mapping
    /// node or a non-string key. (Yams already rejects a key given twice.)
    func entries() -> [(key: String, value: ConfigNode)]? {
        guard let mapping = node.mapping else {
            wrongType("a mapping")
            return nil
        }
        var result: [(key: String, value: ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string else {
                child(keyNode, "?").fail(.wrongType, "mapping keys must be strings")
                continue
            }
            result.append((key, child(valueNode, key)))
        }
        return result
    }

    /// The node of the key `key` in this mapping, so errors about a key point at the key.
    private func keyLocationNode(_ key: String, fallback: ConfigNode) -> ConfigNode {
        guard let mapping = node.mapping,
              let keyNode = mapping.keys.first(where: { $0.scalar?.string == key })
        else { return fallback }
        return child(keyNode, key)
    }

    /// The mapping's values by key after checking the keys: unknown keys are reported with
    /// a did-you-mean hint, keys in `unsupported` with the reason Keiro rejects them.
    func fields(allowed: Set<String>, unsupported: [String: String] = [:]) -> [String: ConfigNode]? {
        guard let entries = entries() else { return nil }
        var result: [String: ConfigNode] = [:]
        for (key, value) in entries {
            if allowed.contains(key) {
                result[key] = value
            } else if let reason = unsupported[key] {
                keyLocationNode(key, fallback: value).fail(.unsupportedField, "'\(key)' is not supported by Keiro: \(reason)")
            } else {
                let hint = Suggestion.hint(for: key, in: allowed)
                let expected = hint.isEmpty ? "; expected one of \(allowed.sorted().joined(separator: ", "))" : hint
                keyLocationNode(key, fallback: value).fail(.unknownField, "unknown field '\(key)'\(expected)")
            }
        }
        return result
    }

    /// The items of a list, each with an indexed path (`http[2]`).
    func items() -> [ConfigNode]? {
        guard let sequence = node.sequence else {
            wrongType("a list")
            return nil
        }
        return sequence.enumerated().map { index, item in
            ConfigNode(node: item, path: "\(path)[\(index)]", file: file, diagnostics: diagnostics)
        }
    }

    /// A list of strings; a single string is accepted as a one-item list.
    func stringList() -> [String]? {
        if node.scalar != nil, let single = string() { return [single] }
        guard let items = items() else { return nil }
        let strings = items.compactMap { $0.string() }
        return strings.count == items.count ? strings : nil
    }

    // MARK: - Scalars

    /// A scalar's text (numbers and booleans are accepted as their text; null is not).
    func string() -> String? {
        guard let scalar = node.scalar, node.null == nil else {
            wrongType("a string")
            return nil
        }
        return scalar.string
    }

    /// A non-empty string.
    func nonEmptyString() -> String? {
        guard let value = string() else { return nil }
        if value.isEmpty {
            fail(.invalidValue, "must not be empty")
            return nil
        }
        return value
    }

    /// An integer (decimal digits, optionally quoted).
    func int() -> Int? {
        guard let scalar = node.scalar, let value = Int(scalar.string.trimmingSpaces) else {
            wrongType("an integer")
            return nil
        }
        return value
    }

    /// An integer within `range`.
    func int(in range: ClosedRange<Int>, code: ConfigError.Code = .invalidValue) -> Int? {
        guard let value = int() else { return nil }
        guard range.contains(value) else {
            fail(code, "must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    /// `true` or `false`.
    func bool() -> Bool? {
        guard node.scalar != nil, let value = node.bool else {
            wrongType("true or false")
            return nil
        }
        return value
    }

    /// A Go/Istio-style duration (`250ms`, `5s`, `1m30s`, `0.5s`). Istio accepts only
    /// millisecond precision; `minimum` rejects values below it (e.g. 1 ms for timeouts).
    func duration(minimum: Duration) -> Duration? {
        guard let text = string() else { return nil }
        guard let value = DurationSyntax.parse(text) else {
            fail(.invalidDuration, "'\(text)' is not a duration; use a number with a unit such as 500ms, 2s or 1m30s")
            return nil
        }
        if value < minimum {
            fail(.invalidDuration, "'\(text)' is too short; it must be at least \(DurationSyntax.format(minimum))")
            return nil
        }
        if value.components.attoseconds % 1_000_000_000_000_000 != 0 {
            fail(.invalidDuration, "'\(text)' is finer than a millisecond; only millisecond precision is supported")
            return nil
        }
        return value
    }
}

extension ConfigNode {
    /// The root node of a document.
    static func root(_ node: Node, file: String, diagnostics: Diagnostics) -> ConfigNode {
        ConfigNode(node: node, path: "", file: file, diagnostics: diagnostics)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces.
    var trimmingSpaces: SubSequence {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map { index(after: $0) } ?? endIndex
        return self[start..<(end > start ? end : start)]
    }
}

import Foundation

/// A small JSON Schema (2020-12) validator for the keywords `schemas/routing-config.schema.json`
/// and the schemas of `schemas/openapi.yaml` use: `$ref` (a local JSON pointer), `oneOf`,
/// `allOf`, `type`, `properties`, `required`, `additionalProperties`, `items`, `minItems`,
/// `minimum`, `maximum`, `enum`, `const`, `pattern`, `minLength`, `minProperties`,
/// `maxProperties` (`format` is an annotation only). An unknown keyword fails the validation
/// so a schema cannot silently outgrow this checker.
public struct JSONSchemaValidator {
    /// The document `$ref`s are resolved in.
    public let root: [String: Any]

    public init(root: [String: Any]) {
        self.root = root
    }

    static let known: Set<String> = [
        "$schema", "$id", "$defs", "$ref", "title", "description", "oneOf", "allOf", "type", "properties",
        "required", "additionalProperties", "items", "minItems", "minimum", "maximum", "enum", "const",
        "pattern", "minLength", "minProperties", "maxProperties", "format",
    ]

    /// Problems found in `value` (empty when valid), each prefixed with its JSON path.
    public func validate(_ value: Any) -> [String] { validate(value, against: root, at: "$") }

    /// Problems found in `value` against `schema`, a schema inside `root`.
    public func validate(_ value: Any, against schema: [String: Any], at path: String = "$") -> [String] {
        var problems: [String] = []
        for key in schema.keys where !Self.known.contains(key) {
            problems.append("\(path): schema keyword '\(key)' is not supported by the test validator")
        }
        if let ref = schema["$ref"] as? String {
            guard let target = resolve(ref) else { return problems + ["\(path): unresolvable $ref \(ref)"] }
            problems += validate(value, against: target, at: path)
        }
        if let all = schema["allOf"] as? [[String: Any]] {
            for sub in all { problems += validate(value, against: sub, at: path) }
        }
        if let one = schema["oneOf"] as? [[String: Any]] {
            let passing = one.filter { validate(value, against: $0, at: path).isEmpty }.count
            if passing != 1 { problems.append("\(path): matches \(passing) of the oneOf alternatives, expected exactly 1") }
        }
        if let type = schema["type"] as? String, !Self.has(type: type, value) {
            return problems + ["\(path): expected \(type)"]
        }
        if let constant = schema["const"], !Self.equal(constant, value) { problems.append("\(path): expected \(constant)") }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal($0, value) }) {
            problems.append("\(path): not one of \(options)")
        }
        if let string = value as? String {
            if let minimum = schema["minLength"] as? Int, string.count < minimum { problems.append("\(path): shorter than \(minimum)") }
            if let pattern = schema["pattern"] as? String {
                let regex = try? NSRegularExpression(pattern: pattern)
                let range = NSRange(string.startIndex..., in: string)
                if regex?.firstMatch(in: string, range: range) == nil { problems.append("\(path): '\(string)' does not match \(pattern)") }
            }
        }
        if let number = Self.number(value) {
            if let minimum = schema["minimum"].flatMap(Self.number), number < minimum { problems.append("\(path): below \(minimum)") }
            if let maximum = schema["maximum"].flatMap(Self.number), number > maximum { problems.append("\(path): above \(maximum)") }
        }
        if let array = value as? [Any] {
            if let minimum = schema["minItems"] as? Int, array.count < minimum { problems.append("\(path): fewer than \(minimum) items") }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { problems += validate(item, against: items, at: "\(path)[\(index)]") }
            }
        }
        if let object = value as? [String: Any] {
            if let minimum = schema["minProperties"] as? Int, object.count < minimum { problems.append("\(path): fewer than \(minimum) properties") }
            if let maximum = schema["maxProperties"] as? Int, object.count > maximum { problems.append("\(path): more than \(maximum) properties") }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(path): missing required '\(key)'")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, child) in object {
                if let sub = properties[key] as? [String: Any] {
                    problems += validate(child, against: sub, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    problems += validate(child, against: additional, at: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path): unexpected property '\(key)'")
                }
            }
        }
        return problems
    }

    /// The schema a local reference (`#/$defs/name`, `#/components/schemas/name`) points to.
    public func resolve(_ reference: String) -> [String: Any]? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any = root
        for token in reference.dropFirst(2).split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = (node as? [String: Any])?[key] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    private static func has(type: String, _ value: Any) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        case "boolean": value is Bool
        case "integer": value is Int && !(value is Bool)
        case "number": number(value) != nil
        default: false
        }
    }

    private static func number(_ value: Any) -> Double? {
        if value is Bool { return nil }
        if let int = value as? Int { return Double(int) }
        return value as? Double
    }

    private static func equal(_ a: Any, _ b: Any) -> Bool {
        if let a = a as? String, let b = b as? String { return a == b }
        if let a = number(a), let b = number(b) { return a == b }
        return false
    }
}

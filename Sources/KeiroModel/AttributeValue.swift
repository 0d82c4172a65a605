/// A typed attribute value, as OTLP's `AnyValue`.
public enum AttributeValue: Hashable, Sendable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case array([AttributeValue])
    /// An ordered key/value list (OTLP `kvlist_value`).
    case map([Attribute])
    case bytes([UInt8])

    /// The string payload, or `nil` for other types.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer payload, or `nil` for other types.
    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    /// A plain-text rendering for display and for indexing: strings as they are, arrays
    /// joined with `,`, bytes as hex.
    public var displayString: String {
        switch self {
        case .string(let value): value
        case .bool(let value): String(value)
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .array(let values): values.map(\.displayString).joined(separator: ",")
        case .map(let entries): "{" + entries.map { "\($0.key)=\($0.value.displayString)" }.joined(separator: ",") + "}"
        case .bytes(let bytes): bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        }
    }
}

/// One key/value pair. Attribute lists keep the order they arrived in.
public struct Attribute: Hashable, Sendable {
    public var key: String
    public var value: AttributeValue

    public init(_ key: String, _ value: AttributeValue) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == Attribute {
    /// The value of the first attribute named `key`.
    public subscript(key: String) -> AttributeValue? {
        first { $0.key == key }?.value
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

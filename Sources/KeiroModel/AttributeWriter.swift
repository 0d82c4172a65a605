/// Where span attributes are written as they are decided, one at a time.
///
/// Code that produces attributes (a proxy's span drafts) writes them through this protocol
/// once, and the same code then fills either an `[Attribute]` (a ``Span`` to read or log)
/// or an OTLP encoder (`OTLPSpanEncoder`: protobuf bytes with no ``Attribute`` values built
/// on the way).
public protocol AttributeWriter {
    mutating func add(_ key: String, _ value: String)
    mutating func add(_ key: String, _ value: Int64)
    mutating func add(_ key: String, _ value: Bool)
    /// Any attribute, arrays and maps included.
    mutating func add(_ attribute: Attribute)
}

extension AttributeWriter {
    /// Adds each of `attributes`, in order.
    public mutating func add(contentsOf attributes: [Attribute]) {
        for attribute in attributes { add(attribute) }
    }
}

extension Array: AttributeWriter where Element == Attribute {
    public mutating func add(_ key: String, _ value: String) { append(Attribute(key, .string(value))) }
    public mutating func add(_ key: String, _ value: Int64) { append(Attribute(key, .int(value))) }
    public mutating func add(_ key: String, _ value: Bool) { append(Attribute(key, .bool(value))) }
    public mutating func add(_ attribute: Attribute) { append(attribute) }
}

/// A read position inside one protobuf message of a request body, and the message's end.
///
/// Follows SwiftProtobuf's binary decoder wherever the wire allows a choice, so both
/// accept and refuse the same bodies: varints of at most 10 bytes, field number ≥ 1, wire
/// types 0–5, lengths within the message, and unknown fields (groups included) skipped.
/// A known field sent with another wire type is skipped as unknown, as SwiftProtobuf does.
struct WireCursor {
    /// Protobuf wire types.
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    /// One field's key.
    struct Tag {
        var field: UInt32
        var wireType: WireType
    }

    private(set) var position: UnsafePointer<UInt8>
    let end: UnsafePointer<UInt8>
    /// The start of the whole body, for error offsets.
    private let bodyStart: UnsafePointer<UInt8>

    /// A cursor over a whole body.
    init(body: UnsafeRawBufferPointer) {
        // An empty buffer may have no base address; any non-null pointer reads nothing then.
        let start = body.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        self.init(position: start, end: start + body.count, bodyStart: start)
    }

    private init(position: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>, bodyStart: UnsafePointer<UInt8>) {
        self.position = position
        self.end = end
        self.bodyStart = bodyStart
    }

    var isAtEnd: Bool { position >= end }

    func malformed(_ what: String) -> WireDecodingError {
        WireDecodingError("invalid OTLP protobuf body: \(what) at byte \(position - bodyStart)")
    }

    @inline(__always)
    mutating func varint() throws(WireDecodingError) -> UInt64 {
        guard position < end else { throw malformed("truncated varint") }
        let first = position.pointee
        position += 1
        if first < 0x80 { return UInt64(first) }
        var value = UInt64(first & 0x7f)
        var shift: UInt64 = 7
        while true {
            guard position < end, shift <= 63 else { throw malformed("truncated or overlong varint") }
            let byte = position.pointee
            position += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// The next field's key, or `nil` at the end of the message.
    @inline(__always)
    mutating func nextTag() throws(WireDecodingError) -> Tag? {
        guard position < end else { return nil }
        let key = try varint()
        guard key <= UInt64(UInt32.max), key >> 3 != 0, let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw malformed("invalid field key \(key)")
        }
        return Tag(field: UInt32(key >> 3), wireType: wireType)
    }

    /// A little-endian fixed-width field (`fixed64`, `double`, `fixed32`).
    @inline(__always)
    mutating func fixed<Value: FixedWidthInteger>(_: Value.Type = Value.self) throws(WireDecodingError) -> Value {
        let size = MemoryLayout<Value>.size
        guard end - position >= size else { throw malformed("truncated \(size * 8)-bit fixed field") }
        let value = UnsafeRawPointer(position).loadUnaligned(as: Value.self)
        position += size
        return Value(littleEndian: value)
    }

    /// The bytes of a length-delimited field.
    @inline(__always)
    mutating func lengthDelimited() throws(WireDecodingError) -> UnsafeBufferPointer<UInt8> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw malformed("length \(length) past the end of its message") }
        let bytes = UnsafeBufferPointer(start: position, count: Int(length))
        position += Int(length)
        return bytes
    }

    /// A cursor over an embedded message, which this one steps past.
    @inline(__always)
    mutating func message() throws(WireDecodingError) -> WireCursor {
        let bytes = try lengthDelimited()
        return WireCursor(position: bytes.baseAddress ?? position, end: (bytes.baseAddress ?? position) + bytes.count, bodyStart: bodyStart)
    }

    /// Steps over a field this decoder does not read.
    mutating func skip(_ tag: Tag) throws(WireDecodingError) {
        switch tag.wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed(UInt64.self)
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32: _ = try fixed(UInt32.self)
        case .endGroup: throw malformed("end of group \(tag.field) outside a group")
        case .startGroup: try skipGroup(tag.field)
        }
    }

    /// Steps over a group and the groups nested in it, without recursing.
    private mutating func skipGroup(_ field: UInt32) throws(WireDecodingError) {
        var open = [field]
        while let innermost = open.last {
            guard let inner = try nextTag() else { throw malformed("unterminated group \(innermost)") }
            switch inner.wireType {
            case .startGroup: open.append(inner.field)
            case .endGroup:
                guard inner.field == innermost else { throw malformed("group \(innermost) ended as \(inner.field)") }
                open.removeLast()
            default: try skip(inner)
            }
        }
    }
}

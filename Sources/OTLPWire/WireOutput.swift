import KeiroModel

/// Protobuf primitives written through a raw pointer into space ``ProtobufWriter`` has
/// already reserved: no capacity or uniqueness check per byte, which is what appending to
/// an array one byte at a time costs (a proxy writes every span it records this way).
///
/// The caller reserves the exact or maximal size first (``ProtobufWriter/withReserved(_:_:)``);
/// the `…Size` functions give the sizes.
struct WireOutput {
    private(set) var pointer: UnsafeMutablePointer<UInt8>

    init(_ pointer: UnsafeMutablePointer<UInt8>) {
        self.pointer = pointer
    }

    @inline(__always) mutating func byte(_ value: UInt8) {
        pointer.pointee = value
        pointer += 1
    }

    @inline(__always) mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            byte(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        byte(UInt8(value))
    }

    @inline(__always) mutating func tag(_ field: UInt64, _ wireType: UInt64) { varint(field << 3 | wireType) }

    @inline(__always) mutating func littleEndian64(_ value: UInt64) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value.littleEndian, as: UInt64.self)
        pointer += 8
    }

    @inline(__always) mutating func littleEndian32(_ value: UInt32) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value.littleEndian, as: UInt32.self)
        pointer += 4
    }

    @inline(__always) mutating func bigEndian64(_ value: UInt64) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value.bigEndian, as: UInt64.self)
        pointer += 8
    }

    /// `string`'s UTF-8 bytes, no tag or length.
    mutating func utf8(_ string: String) {
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { raw(UnsafeRawBufferPointer($0)) }
        if copied == nil {
            for byte in string.utf8 { self.byte(byte) }
        }
    }

    mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: bytes.count)
        pointer += bytes.count
    }

    /// A string field (tag, length, bytes); an empty one is omitted unless `always`.
    mutating func string(_ field: UInt64, _ value: String, always: Bool = false) {
        let count = value.utf8.count
        guard always || count != 0 else { return }
        tag(field, 2)
        varint(UInt64(count))
        utf8(value)
    }

    mutating func uint(_ field: UInt64, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 0)
        varint(value)
    }

    mutating func fixed64(_ field: UInt64, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, 1)
        littleEndian64(value)
    }

    mutating func fixed32(_ field: UInt64, _ value: UInt32) {
        guard value != 0 else { return }
        tag(field, 5)
        littleEndian32(value)
    }

    mutating func traceID(_ field: UInt64, _ id: TraceID) {
        tag(field, 2)
        byte(16)
        bigEndian64(id.high)
        bigEndian64(id.low)
    }

    mutating func spanID(_ field: UInt64, _ id: SpanID) {
        tag(field, 2)
        byte(8)
        bigEndian64(id.value)
    }

    // MARK: KeyValue / AnyValue (opentelemetry.proto.common.v1), lengths computed up front

    /// The lengths inside a `KeyValue` message, computed once for both reserving the space
    /// and writing the message.
    struct KeyValueLengths {
        var key: Int
        var value: Int

        init(key: String, value: AttributeValue) {
            self.key = key.utf8.count
            self.value = WireOutput.anyValueLength(value)
        }

        /// The message's body length.
        var message: Int { (key == 0 ? 0 : WireOutput.fieldSize(1, length: key)) + WireOutput.fieldSize(2, length: value) }

        /// Bytes of the `KeyValue` as field `field` (tag, length, message).
        func fieldSize(_ field: UInt64) -> Int { WireOutput.fieldSize(field, length: message) }
    }

    /// One `KeyValue` message as field `field`: `lengths.fieldSize(field)` bytes.
    mutating func keyValue(_ field: UInt64, _ key: String, _ value: AttributeValue, _ lengths: KeyValueLengths) {
        tag(field, 2)
        varint(UInt64(lengths.message))
        if lengths.key != 0 {
            tag(1, 2)
            varint(UInt64(lengths.key))
            utf8(key)
        }
        tag(2, 2)
        varint(UInt64(lengths.value))
        anyValue(value)
    }

    /// An `AnyValue` message's fields.
    private mutating func anyValue(_ value: AttributeValue) {
        switch value {
        case .string(let string):
            self.string(1, string, always: true)
        case .bool(let bool):
            tag(2, 0)
            byte(bool ? 1 : 0)
        case .int(let int):
            tag(3, 0)
            varint(UInt64(bitPattern: int))
        case .double(let double):
            tag(4, 1)
            littleEndian64(double.bitPattern)
        case .array(let values):
            tag(5, 2)
            varint(UInt64(Self.arrayLength(values)))
            for value in values {
                tag(1, 2)
                varint(UInt64(Self.anyValueLength(value)))
                anyValue(value)
            }
        case .map(let entries):
            tag(6, 2)
            varint(UInt64(Self.mapLength(entries)))
            for entry in entries { keyValue(1, entry.key, entry.value, KeyValueLengths(key: entry.key, value: entry.value)) }
        case .bytes(let data):
            tag(7, 2)
            varint(UInt64(data.count))
            data.withUnsafeBytes { raw($0) }
        }
    }

    /// The body length of an `AnyValue` message.
    static func anyValueLength(_ value: AttributeValue) -> Int {
        switch value {
        case .string(let string): return fieldSize(1, length: string.utf8.count)
        case .bool: return 2
        case .int(let int): return 1 + varintSize(UInt64(bitPattern: int))
        case .double: return 9
        case .bytes(let data): return fieldSize(7, length: data.count)
        case .array(let values): return fieldSize(5, length: arrayLength(values))
        case .map(let entries): return fieldSize(6, length: mapLength(entries))
        }
    }

    private static func arrayLength(_ values: [AttributeValue]) -> Int {
        values.reduce(0) { $0 + fieldSize(1, length: anyValueLength($1)) }
    }

    private static func mapLength(_ entries: [Attribute]) -> Int {
        entries.reduce(0) { $0 + KeyValueLengths(key: $1.key, value: $1.value).fieldSize(1) }
    }

    // MARK: Sizes

    /// Bytes of a length-delimited field: tag, length, `length` bytes of body.
    static func fieldSize(_ field: UInt64, length: Int) -> Int {
        varintSize(field << 3) + varintSize(UInt64(length)) + length
    }

    /// Bytes of `value` as a varint.
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per started group of 7 bits; 0 takes one byte.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }
}

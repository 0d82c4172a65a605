/// Appends the primitives of Keiro's compact binary encoding: LEB128 varints, zig-zag
/// signed varints, length-prefixed UTF-8 and raw bytes.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 128) {
        bytes.reserveCapacity(capacity)
    }

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func varint(_ value: UInt64) {
        if value < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value))
            return
        }
        // At most 10 bytes: spelled out on the stack, appended at once.
        var spelled: (UInt64, UInt64) = (0, 0)
        let count = withUnsafeMutableBytes(of: &spelled) { buffer in
            var remaining = value
            var index = 0
            while remaining >= 0x80 {
                buffer[index] = UInt8(truncatingIfNeeded: remaining) | 0x80
                remaining >>= 7
                index += 1
            }
            buffer[index] = UInt8(truncatingIfNeeded: remaining)
            return index + 1
        }
        withUnsafeBytes(of: &spelled) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
    }

    mutating func signedVarint(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func string(_ value: String) {
        let utf8 = value.utf8
        varint(UInt64(utf8.count))
        let appended: Void? = utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if appended == nil { bytes.append(contentsOf: utf8) }
    }

    mutating func raw<C: Collection>(_ data: C) where C.Element == UInt8 {
        bytes.append(contentsOf: data)
    }

    mutating func fixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Reads what `ByteWriter` wrote; every read checks bounds and throws on truncated or
/// malformed input instead of trapping.
struct ByteReader {
    struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        var description: String { "stored span body is malformed at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw Malformed(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw Malformed(offset: offset) }
            result |= UInt64(next & 0x7f) << shift
            if next & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func signedVarint() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func count() throws -> Int {
        let value = try varint()
        guard value <= UInt64(bytes.count - offset) else { throw Malformed(offset: offset) }
        return Int(value)
    }

    mutating func uint32() throws -> UInt32 {
        let value = try varint()
        guard let narrowed = UInt32(exactly: value) else { throw Malformed(offset: offset) }
        return narrowed
    }

    mutating func raw(_ length: Int) throws -> ArraySlice<UInt8> {
        guard length >= 0, length <= bytes.count - offset else { throw Malformed(offset: offset) }
        defer { offset += length }
        return bytes[offset..<offset + length]
    }

    mutating func string() throws -> String {
        String(decoding: try raw(count()), as: UTF8.self)
    }

    mutating func fixed64() throws -> UInt64 {
        var value: UInt64 = 0
        for (index, byte) in try raw(8).enumerated() { value |= UInt64(byte) << UInt64(8 * index) }
        return value
    }
}

/// A 128-bit trace identifier (W3C / OTLP). 64-bit ids from B3 or Zipkin have `high == 0`.
public struct TraceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The most significant 8 bytes.
    public var high: UInt64
    /// The least significant 8 bytes.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads 16 big-endian bytes; `nil` unless exactly 16 bytes are given.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 16 else { return nil }
        var iterator = bytes.makeIterator()
        self.init(high: UInt64(bigEndianBytes: &iterator), low: UInt64(bigEndianBytes: &iterator))
    }

    /// Parses 32 hex digits, or 16 for a 64-bit id (Zipkin, B3). Case-insensitive.
    public init?<S: StringProtocol>(hex: S) {
        let utf8 = Array(hex.utf8)
        switch utf8.count {
        case 32:
            guard let high = UInt64(hexUTF8: utf8[0..<16]), let low = UInt64(hexUTF8: utf8[16..<32]) else { return nil }
            self.init(high: high, low: low)
        case 16:
            guard let low = UInt64(hexUTF8: utf8[...]) else { return nil }
            self.init(high: 0, low: low)
        default:
            return nil
        }
    }

    /// The all-zero id, invalid on the wire.
    public static let zero = TraceID(high: 0, low: 0)

    /// False for the all-zero id.
    public var isValid: Bool { high != 0 || low != 0 }

    /// 16 big-endian bytes.
    public var bytes: [UInt8] { high.bigEndianBytes + low.bigEndianBytes }

    /// Calls `body` with the 16 big-endian bytes of `bytes`, without allocating them.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var bigEndian = (high.bigEndian, low.bigEndian)
        return try Swift.withUnsafeBytes(of: &bigEndian, body)
    }

    /// 32 lowercase hex digits.
    public var hexString: String { high.hexString16 + low.hexString16 }

    public var description: String { hexString }

    public static func < (lhs: TraceID, rhs: TraceID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// A 64-bit span identifier.
public struct SpanID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The id as an unsigned integer (big-endian byte order on the wire).
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// Reads 8 big-endian bytes; `nil` unless exactly 8 bytes are given.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 8 else { return nil }
        var iterator = bytes.makeIterator()
        self.init(UInt64(bigEndianBytes: &iterator))
    }

    /// Parses exactly 16 hex digits. Case-insensitive.
    public init?<S: StringProtocol>(hex: S) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 16, let value = UInt64(hexUTF8: utf8[...]) else { return nil }
        self.init(value)
    }

    /// False for the all-zero id.
    public var isValid: Bool { value != 0 }

    /// 8 big-endian bytes.
    public var bytes: [UInt8] { value.bigEndianBytes }

    /// 16 lowercase hex digits.
    public var hexString: String { value.hexString16 }

    public var description: String { hexString }

    public static func < (lhs: SpanID, rhs: SpanID) -> Bool { lhs.value < rhs.value }
}

extension UInt64 {
    init<I: IteratorProtocol>(bigEndianBytes iterator: inout I) where I.Element == UInt8 {
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(iterator.next()!) }
        self = value
    }

    init?(hexUTF8 digits: ArraySlice<UInt8>) {
        var value: UInt64 = 0
        for byte in digits {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        self = value
    }

    var bigEndianBytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * UInt64($0))) }
    }

    /// 16 lowercase hex digits, zero-padded (one allocation: ids are formatted per request).
    var hexString16: String {
        String(unsafeUninitializedCapacity: 16) { LowercaseHex.write(self, digits: 16, into: $0, at: 0) }
    }
}

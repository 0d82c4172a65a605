/// Hex helpers shared by the trace-context codecs.
enum LowercaseHex {
    /// True when every byte is `0-9` or `a-f` (W3C Trace Context forbids uppercase).
    static func isLowercaseHex<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// `value` as exactly `digits` lowercase hex digits (zero-padded, high digits dropped).
    static func format<I: FixedWidthInteger & UnsignedInteger>(_ value: I, digits: Int) -> String {
        let hex = String(value, radix: 16)
        if hex.count >= digits { return String(hex.suffix(digits)) }
        return String(repeating: "0", count: digits - hex.count) + hex
    }

    /// Writes `value` as exactly `digits` lowercase hex digits (zero-padded, high digits
    /// dropped) into `buffer` at `offset`; returns the offset after them.
    @discardableResult
    static func write(_ value: UInt64, digits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        var value = value
        var index = offset + digits
        while index > offset {
            index -= 1
            let nibble = UInt8(truncatingIfNeeded: value & 0xF)
            buffer[index] = nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
            value >>= 4
        }
        return offset + digits
    }

    /// `count` random lowercase hex digits.
    static func random(count: Int, using generator: inout some RandomNumberGenerator) -> String {
        var result = ""
        result.reserveCapacity(count)
        var remaining = count
        while remaining > 0 {
            let chunk = min(remaining, 16)
            let value = generator.next() as UInt64
            result += format(value, digits: chunk)
            remaining -= chunk
        }
        return result
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and horizontal tabs (HTTP OWS).
    var trimmingOWS: Substring {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let text = self[...]
        guard let first = text.firstIndex(where: { !isOWS($0) }), let last = text.lastIndex(where: { !isOWS($0) }) else {
            return Substring()
        }
        return Substring(text[first...last])
    }
}

extension UInt8 {
    /// Parses two hex digits.
    init?(hexDigits: ArraySlice<UInt8>) {
        guard hexDigits.count == 2, let value = UInt64(hexUTF8: hexDigits) else { return nil }
        self = UInt8(value)
    }
}

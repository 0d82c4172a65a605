import Foundation
import KeiroModel

/// The strings of one request body, each made once: attribute keys, service names, routes
/// and methods repeat on almost every span, and a string longer than 15 UTF-8 bytes (too
/// long to live inline in a `String`) costs an allocation and a validation each time it is
/// made. Shorter strings are made directly; longer ones are looked up by content in a
/// small open-addressing table that stops taking entries when full.
struct StringInterner {
    /// Strings longer than this are unlikely to repeat (URLs with ids, messages).
    static let maxInternedBytes = 96
    private static let maxSlots = 4096
    /// Lookups give up after this many occupied slots and make the string afresh, so bodies
    /// whose strings collide cost no more than a few comparisons per string.
    private static let maxProbes = 8

    private struct Entry {
        var hash: UInt64
        var string: String
    }

    private var slots: [Entry?] = []
    private var count = 0

    /// The string these bytes spell, or `nil` if they are not valid UTF-8.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count > 15, bytes.count <= Self.maxInternedBytes else { return Self.make(bytes) }
        if slots.isEmpty { slots = Array(repeating: nil, count: 256) }
        let hash = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        for _ in 0..<Self.maxProbes {
            guard let entry = slots[slot] else { return insert(bytes, hash: hash) }
            if entry.hash == hash, Self.equal(entry.string, bytes) { return entry.string }
            slot = (slot + 1) & (slots.count - 1)
        }
        return Self.make(bytes)
    }

    private mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> String? {
        guard let string = Self.make(bytes) else { return nil }
        if count * 2 >= slots.count {
            guard slots.count < Self.maxSlots else { return string }
            grow()
        }
        var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        while slots[slot] != nil { slot = (slot + 1) & (slots.count - 1) }
        slots[slot] = Entry(hash: hash, string: string)
        count += 1
        return string
    }

    /// A string from UTF-8 bytes, `nil` if they are not valid. ASCII, nearly all of what
    /// tracing sends, skips the standard library's generic validation (which also looks
    /// up generic metadata on every call).
    private static func make(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        isASCII(bytes) ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var offset = 0
        var high: UInt64 = 0
        while offset + 8 <= raw.count {
            high |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < raw.count {
            high |= UInt64(raw[offset])
            offset += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        for case let entry? in old {
            var slot = Int(truncatingIfNeeded: entry.hash) & (slots.count - 1)
            while slots[slot] != nil { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = entry
        }
    }

    private static func equal(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard string.utf8.count == bytes.count else { return false }
        return string.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 } ?? false
    }

    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        ContentDigest.digest(UnsafeRawBufferPointer(bytes))
    }
}

/// A 64-bit digest of a byte string that is the same in every process and on every run,
/// read 8 bytes at a time (MurmurHash3's 64-bit word mixing and finaliser): several times
/// cheaper per byte than ``StableHash``'s byte-serial FNV-1a. The store identifies trace
/// parts by it; the OTLP decoder's string table looks strings up by it.
public enum ContentDigest {
    /// The digest of `bytes`, starting from `seed` (chain digests by passing one as the next seed).
    public static func digest(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var hash = seed ^ UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        while offset + 8 <= bytes.count {
            hash ^= mixWord(bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            hash = rotate(hash, 27) &* 5 &+ 0x52DC_E729
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        hash ^= mixWord(tail)
        return finalize(hash)
    }

    private static func mixWord(_ word: UInt64) -> UInt64 {
        rotate(word &* 0x87C3_7B91_1142_53D5, 31) &* 0x4CF5_AD43_2745_937F
    }

    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 { value << bits | value >> (64 - bits) }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        return hash ^ hash >> 33
    }
}

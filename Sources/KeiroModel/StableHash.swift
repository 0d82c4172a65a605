/// FNV-1a (64-bit) with a SplitMix64 finaliser: a hash that is the same in every process
/// and on every run (unlike Swift's seeded `Hasher`), so a sticky key keeps choosing the
/// same destination across restarts and across proxies, and an id derived from content
/// (an ALB log line) is the same on every ingest.
public enum StableHash {
    /// Hashes the UTF-8 bytes of `key`.
    @inlinable
    public static func hash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return SplitMix64.mix(hash)
    }
}

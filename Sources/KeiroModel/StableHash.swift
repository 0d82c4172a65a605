/// FNV-1a (64-bit) with a SplitMix64 finaliser: a hash that is the same in every process
/// and on every run (unlike Swift's seeded `Hasher`), so a sticky key keeps choosing the
/// same destination across restarts and across proxies, and an id derived from content
/// (an ALB log line, a stored span group) is the same on every ingest.
public enum StableHash {
    /// Hashes the UTF-8 bytes of `key`.
    @inlinable
    public static func hash(_ key: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(key.utf8)
        return hasher.value
    }

    /// Incremental form: feed byte sequences, then read `value`.
    public struct Hasher {
        @usableFromInline var state: UInt64 = 0xcbf2_9ce4_8422_2325

        @inlinable
        public init() {}

        @inlinable
        public mutating func combine(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                state ^= UInt64(byte)
                state &*= 0x0000_0100_0000_01b3
            }
        }

        /// The finalised hash of everything combined so far.
        @inlinable
        public var value: UInt64 { SplitMix64.mix(state) }
    }
}

import KeiroModel
import Synchronization

/// The proxy's random source on the request path: trace and span ids, `x-request-id`,
/// and routing draws (weighted choice, address pick). SplitMix64's output function over
/// one process-wide atomic counter seeded from the system generator, so a draw is an
/// atomic add where `SystemRandomNumberGenerator` makes a `getrandom` system call (six per
/// request) and Foundation's `UUID()` opens, reads and closes `/dev/urandom`.
///
/// The ids only need to be unique and well spread (W3C Trace Context), not secret: every
/// counter value maps to a different output, so ids never repeat within a process.
struct ProxyRandom: RandomNumberGenerator {
    private static let counter = Atomic<UInt64>(.random(in: .min ... .max))

    func next() -> UInt64 {
        SplitMix64.mix(Self.counter.wrappingAdd(0x9e37_79b9_7f4a_7c15, ordering: .relaxed).newValue)
    }

    /// A random (version 4) UUID in lowercase text, the form Envoy gives `x-request-id`.
    func uuidString() -> String {
        let high = next() & ~0xf000 | 0x4000  // version 4
        let low = next() & ~(0b11 << 62) | 1 << 63  // variant 10
        return String(unsafeUninitializedCapacity: 36) { text in
            var at = 0
            for digit in 0..<32 {
                if digit == 8 || digit == 12 || digit == 16 || digit == 20 {
                    text[at] = UInt8(ascii: "-")
                    at += 1
                }
                let word = digit < 16 ? high : low
                text[at] = Self.hexDigits[Int(truncatingIfNeeded: word >> UInt64(60 - 4 * (digit % 16))) & 0xf]
                at += 1
            }
            return at
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

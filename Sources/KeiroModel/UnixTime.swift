import Foundation

/// Wall-clock time as Unix nanoseconds: span timestamps, and "now" for relative query times.
public func unixNanosNow() -> UInt64 {
    UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000_000))
}

import Foundation

/// Times as Keiro prints them, in JSON and in the CLI's tables: RFC 3339 in UTC with
/// milliseconds (`2026-11-25T05:06:33.123Z`).
public enum RFC3339 {
    /// The RFC 3339 form of a time given in Unix nanoseconds.
    public static func timestamp(unixNanos: UInt64) -> String {
        Date(timeIntervalSince1970: Double(unixNanos) / 1e9).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

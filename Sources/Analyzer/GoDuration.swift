/// Go's `time.Duration.String()` rendering (`2s`, `-1.5s`, `250ms`, `1m30s`, `12µs`),
/// so that clock-skew warnings read exactly like Jaeger's.
enum GoDuration {
    static func format(_ nanos: Int64) -> String {
        if nanos == 0 { return "0s" }
        let sign = nanos < 0 ? "-" : ""
        let value = nanos.magnitude
        if value < 1_000 { return "\(sign)\(value)ns" }
        if value < 1_000_000 { return sign + decimal(value, digits: 3) + "µs" }
        if value < 1_000_000_000 { return sign + decimal(value, digits: 6) + "ms" }
        let seconds = value / 1_000_000_000
        var text = decimal(value % 60_000_000_000, digits: 9) + "s"
        if seconds >= 60 {
            let minutes = seconds / 60
            text = "\(minutes % 60)m" + text
            if minutes >= 60 { text = "\(minutes / 60)h" + text }
        }
        return sign + text
    }

    /// `value / 10^digits` with the fraction's trailing zeros (and a bare point) removed.
    private static func decimal(_ value: UInt64, digits: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let fraction = String(value % scale)
        let padded = String(repeating: "0", count: digits - fraction.count) + fraction
        let trimmed = padded.reversed().drop { $0 == "0" }.reversed()
        return "\(value / scale)" + (trimmed.isEmpty ? "" : "." + String(trimmed))
    }
}

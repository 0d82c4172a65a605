/// Go-style durations as Istio and Kubernetes users write them: a sequence of decimal
/// numbers, each with a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), e.g. `250ms`, `1.5s`,
/// `1m30s`. A bare `0` is accepted. Negative durations are not.
public enum DurationSyntax {
    private static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses `text`, or returns `nil` when it is not a duration.
    public static func parse(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unitText.count)
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
                  let unit = units.first(where: { $0.suffix == unitText })?.nanoseconds
            else { return nil }
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            guard let whole = parts[0].isEmpty ? 0 : Int64(parts[0]) else { return nil }
            var fractionNanos: Int64 = 0
            if parts.count == 2, !parts[1].isEmpty {
                guard let fraction = Double("0." + parts[1]) else { return nil }
                fractionNanos = Int64((fraction * Double(unit)).rounded())
            }
            let (product, overflow) = whole.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            total += product + fractionNanos
        }
        return .nanoseconds(total)
    }

    /// A short human form (`250ms`, `5s`, `1m30s`) used in messages and `routes explain`.
    public static func format(_ duration: Duration) -> String {
        let nanos = duration.nanoseconds
        if nanos == 0 { return "0s" }
        if nanos % 1_000_000_000 != 0 {
            if nanos % 1_000_000 == 0 { return "\(nanos / 1_000_000)ms" }
            return "\(nanos)ns"
        }
        var seconds = nanos / 1_000_000_000
        var text = ""
        if seconds >= 3600 { text += "\(seconds / 3600)h"; seconds %= 3600 }
        if seconds >= 60 { text += "\(seconds / 60)m"; seconds %= 60 }
        if seconds > 0 { text += "\(seconds)s" }
        return text
    }
}

extension Duration {
    /// The duration in whole nanoseconds (truncating; saturating at ±292 years).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : whole.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }

    /// Whole milliseconds (truncating).
    public var milliseconds: Int64 { nanoseconds / 1_000_000 }
}

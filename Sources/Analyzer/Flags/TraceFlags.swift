/// What happened in a trace, as a bit set. The raw values are stable: they are stored as
/// the INTEGER column `traces.flags` and filtered with `flags & mask != 0`. Never renumber
/// a flag; add new ones at the next free bit.
public struct TraceFlags: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// A call was sent more than once (retries fired).
    public static let retried = TraceFlags(rawValue: 1 << 0)
    /// A per-try timeout fired (the try was retried, or ended the request with 504 `UT`).
    public static let perTryTimeout = TraceFlags(rawValue: 1 << 1)
    /// The route's overall timeout fired: 504 `UT` (or a response cut mid-body).
    public static let overallTimeout = TraceFlags(rawValue: 1 << 2)
    /// Retries ran out (`URX`): the last failure was returned.
    public static let retriesExhausted = TraceFlags(rawValue: 1 << 3)
    /// Routing sent the request to a canary target (subset or target group named canary).
    public static let canary = TraceFlags(rawValue: 1 << 4)
    /// A header match chose the route (e.g. a per-pull-request replica).
    public static let headerRoute = TraceFlags(rawValue: 1 << 5)
    /// The request failed: an error reached the root span.
    public static let error = TraceFlags(rawValue: 1 << 6)
    /// A span failed but the failure did not reach the root (retried away or handled).
    public static let absorbedError = TraceFlags(rawValue: 1 << 7)
    /// Some span's parent is not stored (the tree has placeholders).
    public static let incomplete = TraceFlags(rawValue: 1 << 8)
    /// Clock-skew adjustment moved a span, or refused to (delta over the maximum).
    public static let clockSkew = TraceFlags(rawValue: 1 << 9)
    /// At least one finding was inferred from span shapes, without Keiro's attributes.
    public static let inferred = TraceFlags(rawValue: 1 << 10)

    /// The CLI names, one per flag, in bit order, with a one-line help each.
    public static let names: [(name: String, flags: TraceFlags, help: String)] = [
        ("retried", .retried, "a call was retried"),
        ("per-try-timeout", .perTryTimeout, "a per-try timeout fired"),
        ("overall-timeout", .overallTimeout, "the route timeout fired (504 UT)"),
        ("retries-exhausted", .retriesExhausted, "retries ran out (URX)"),
        ("canary", .canary, "a canary target was taken"),
        ("header-route", .headerRoute, "a header match chose the route"),
        ("error", .error, "the request failed (an error reached the root)"),
        ("absorbed-error", .absorbedError, "a span failed but the request did not"),
        ("incomplete", .incomplete, "spans are missing (orphans under placeholders)"),
        ("clock-skew", .clockSkew, "timestamps were adjusted for clock skew"),
        ("inferred", .inferred, "a finding was inferred without Keiro attributes"),
    ]

    /// Names that stand for several flags (a trace matches when it has any of them).
    public static let aliases: [(name: String, flags: TraceFlags, help: String)] = [
        ("timeout", [.perTryTimeout, .overallTimeout], "any timeout fired"),
        ("retry", .retried, "same as retried"),
    ]

    /// The flags a CLI name stands for (`retried`, `timeout`, `header-route`, …), case-insensitive.
    public init?(name: String) {
        let lowered = name.lowercased()
        guard let entry = (Self.names + Self.aliases).first(where: { $0.name == lowered }) else { return nil }
        self = entry.flags
    }

    /// The names of the flags set, in bit order.
    public var flagNames: [String] {
        Self.names.filter { contains($0.flags) }.map(\.name)
    }

    /// True when the trace has any of `mask`'s flags: how `--flag NAME` filters, as SQL
    /// `flags & mask != 0`.
    public func intersects(_ mask: TraceFlags) -> Bool {
        !intersection(mask).isEmpty
    }

    public var description: String { flagNames.isEmpty ? "[]" : flagNames.joined(separator: ",") }
}

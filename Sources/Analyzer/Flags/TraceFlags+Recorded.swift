import KeiroModel

extension TraceFlags {
    /// The flags one span proves on its own, from what Keiro's proxies (or Envoy) record on
    /// it: a resend, a timeout kind, `UT`/`URX` response flags, a canary destination, a
    /// header-route decision, an ERROR status on the root span. The store records these per trace at ingest
    /// so queries can filter by them; the flags that need the whole tree (inferred attempts,
    /// error origin vs absorbed, clock skew, incomplete) come from `flagReport()`.
    public static func recorded(by span: Span) -> TraceFlags {
        // The request failed: its parentless root span ended in ERROR (an error a retry
        // absorbed below the root is not one; `--errors` finds any ERROR span).
        var flags: TraceFlags = span.isError && span.parentSpanID == nil ? .error : []
        // Every other flag needs a Keiro attribute, a resend count or Envoy's response flags;
        // most spans of instrumented services carry none. One pass over the attributes
        // (`RecordedFacts`) instead of a lookup per fact: this runs on every ingested span.
        let facts = RecordedFacts(span.attributes)
        guard facts.mayRecordFlag else { return flags }
        if facts.retried { flags.insert(.retried) }
        let responseFlags = facts.responseFlags
        if let timeout = facts.firedTimeout(responseFlags: responseFlags) { flags.insert(timeout) }
        if responseFlags.contains("URX") { flags.insert(.retriesExhausted) }
        if facts.hasKeiroAttributes, facts.destinationIsCanary { flags.insert(.canary) }
        if facts.routedByHeader { flags.insert(.headerRoute) }
        return flags
    }

    /// The flags `recorded(by:)` can set: the ones a stored trace can be searched by.
    public static let searchable: TraceFlags = [
        .retried, .perTryTimeout, .overallTimeout, .retriesExhausted, .canary, .headerRoute, .error,
    ]

    /// The names (and aliases) of the searchable flags, for help texts and validation.
    public static var searchableNames: [String] {
        (names + aliases).filter { searchable.isSuperset(of: $0.flags) }.map(\.name)
    }

    /// Every name a query may use for these flags: the flags' own names and the aliases
    /// they satisfy (`timeout` for either timeout).
    public var searchNames: [String] {
        flagNames + Self.aliases.filter { intersects($0.flags) }.map(\.name)
    }
}

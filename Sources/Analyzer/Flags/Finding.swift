import KeiroModel

/// One thing the analyzer noticed, with the spans that show it and why.
public struct Finding: Sendable, Hashable, CustomStringConvertible {
    /// The flag this finding sets (a single flag).
    public var flag: TraceFlags
    /// The spans that show it, in the order the evidence names them.
    public var spanIDs: [SpanID]
    /// The same spans as indexes into ``TraceTree/nodes`` (span ids are not unique when
    /// Envoy shares one between a client and a server span).
    public var nodes: [Int]
    /// Human-readable evidence, e.g. `gateway → search-api (route search): 3 attempts; …`.
    public var evidence: String
    /// True when read from span shapes (sibling attempts, durations at a timeout) rather
    /// than from Keiro's attributes or Envoy's response flags.
    public var inferred: Bool

    public init(flag: TraceFlags, nodes: [Int], in tree: TraceTree, evidence: String, inferred: Bool = false) {
        self.flag = flag
        self.nodes = nodes
        self.spanIDs = nodes.map { tree.nodes[$0].span.spanID }
        self.evidence = evidence
        self.inferred = inferred
    }

    /// `[name] evidence`, with `(inferred)` when inferred.
    public var description: String {
        "[\(flag.flagNames.joined(separator: ","))] \(evidence)" + (inferred ? " (inferred)" : "")
    }
}

/// The flags of one trace and the findings behind them.
public struct TraceFlagReport: Sendable, Hashable {
    /// Every flag set by a finding (plus `inferred` when any finding was inferred).
    public var flags: TraceFlags
    /// In tree order of the span each finding is about.
    public var findings: [Finding]

    public init(findings: [Finding]) {
        self.findings = findings
        var flags = TraceFlags()
        for finding in findings {
            flags.formUnion(finding.flag)
            if finding.inferred { flags.insert(.inferred) }
        }
        self.flags = flags
    }
}

/// What the flag analysis assumes where spans do not say.
public struct FlagOptions: Sendable, Hashable {
    /// Timeouts a span without Keiro attributes may have hit (configured route and per-try
    /// timeouts; default: common values). A span ending 504 whose duration reaches one of
    /// them (within `timeoutTolerance`) is taken as a fired timeout.
    public var timeouts: [Duration]
    /// How far past a timeout a span may end and still count as reaching it (the timer
    /// starts a little after the span does): the larger of this and 5 % of the timeout.
    public var timeoutTolerance: Duration

    public init(
        timeouts: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(5), .seconds(6), .seconds(10), .seconds(15), .seconds(30), .seconds(60)],
        timeoutTolerance: Duration = .milliseconds(50)
    ) {
        self.timeouts = timeouts
        self.timeoutTolerance = timeoutTolerance
    }
}

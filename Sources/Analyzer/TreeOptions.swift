import KeiroModel

/// How ``TraceTree`` rebuilds a trace.
public struct TreeOptions: Sendable, Hashable {
    /// The trace asked for. When set, the spans passed in may belong to several trace ids
    /// sharing its low 64 bits (what a store returns for a lookup by the low 64 bits); a
    /// B3 64-bit id and a 128-bit one are joined only when a parent link proves they are
    /// the same request (``TraceIDJoin``). `nil`: every span is taken as one trace.
    public var traceID: TraceID?
    /// The largest clock-skew shift applied (Jaeger's `--query.max-clock-skew-adjustment`).
    /// A larger computed shift is not applied and leaves a warning on the span; zero turns
    /// adjustment off (with Jaeger's "disabled" warning wherever a shift was computed).
    /// Default 10 s: Jaeger's default is 0 s (off), but Keiro's traces mix ALB log times
    /// (AWS's clock) with each host's clock, and seconds of skew are common there.
    public var maxClockSkewAdjustment: Duration
    /// Hang an ALB access-log span above the server span of the hop it forwarded to
    /// (default true); otherwise both stay separate roots.
    public var placesLoadBalancerAboveForwardedHop: Bool

    public init(traceID: TraceID? = nil, maxClockSkewAdjustment: Duration = .seconds(10), placesLoadBalancerAboveForwardedHop: Bool = true) {
        self.traceID = traceID
        self.maxClockSkewAdjustment = maxClockSkewAdjustment
        self.placesLoadBalancerAboveForwardedHop = placesLoadBalancerAboveForwardedHop
    }
}

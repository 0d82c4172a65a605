/// How a demo backend instance misbehaves: each request independently draws one fault
/// from these rates (in order: reset, hang, error; the rest answer normally), then waits
/// its latency. Set per instance so a topology can have, say, a flaky canary.
public struct FaultProfile: Sendable, Hashable, Codable {
    /// Share of requests answered with `errorStatus` (0…1).
    public var errorRate: Double
    /// Status of an injected error. Default 503.
    public var errorStatus: Int
    /// Share of requests whose connection is closed before the response completes (0…1),
    /// which a proxy sees as an upstream reset.
    public var resetRate: Double
    /// Share of requests that hang (0…1): no response until `hangMillis` has passed.
    public var hangRate: Double
    /// How long a hung request waits before finally answering. Default 60 s (bounded so
    /// demo processes never hold connections forever).
    public var hangMillis: Int
    /// Latency of every answered request, drawn uniformly from this range (ms).
    public var latencyMillis: ClosedRange<Int>
    /// Share of requests that add `slowMillis` on top (a latency tail).
    public var slowRate: Double
    /// Extra latency of a slow request (ms).
    public var slowMillis: Int

    public init(
        errorRate: Double = 0, errorStatus: Int = 503, resetRate: Double = 0, hangRate: Double = 0, hangMillis: Int = 60_000,
        latencyMillis: ClosedRange<Int> = 1...5, slowRate: Double = 0, slowMillis: Int = 0
    ) {
        self.errorRate = errorRate
        self.errorStatus = errorStatus
        self.resetRate = resetRate
        self.hangRate = hangRate
        self.hangMillis = hangMillis
        self.latencyMillis = latencyMillis
        self.slowRate = slowRate
        self.slowMillis = slowMillis
    }

    /// A backend that always answers promptly.
    public static let healthy = FaultProfile()
}

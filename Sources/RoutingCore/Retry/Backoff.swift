import KeiroModel
/// Envoy's retry back-off, `JitteredExponentialBackOffStrategy` as in current Envoy
/// (`source/common/common/backoff_strategy.cc`): the n-th retry waits a uniformly random
/// whole number of milliseconds in `[0, interval)`, where interval starts at the base
/// (25 ms), doubles after each retry and is capped at the maximum (10 × base = 250 ms):
/// 25, 50, 100, 200, 250, 250 … ms. (Older Envoy docs describe `[0, (2^N − 1) · 25 ms)`;
/// Keiro follows the code that ships.) The random source is injected.
public struct Backoff: Sendable, Hashable {
    /// Base and maximum interval.
    public struct Policy: Sendable, Hashable {
        /// First interval (Envoy default 25 ms).
        public var base: Duration
        /// Cap on the interval (Envoy default 10 × base).
        public var max: Duration

        /// Creates a policy; `max` defaults to 10 × `base` as in Envoy.
        public init(base: Duration, max: Duration? = nil) {
            self.base = base
            self.max = max ?? base * 10
        }

        /// 25 ms base, 250 ms cap.
        public static let envoyDefault = Policy(base: .milliseconds(25))
    }

    private let maxMilliseconds: UInt64
    private var nextIntervalMilliseconds: UInt64

    /// Starts a schedule at the base interval.
    public init(_ policy: Policy) {
        maxMilliseconds = UInt64(Swift.max(1, policy.max.nanoseconds / 1_000_000))
        nextIntervalMilliseconds = UInt64(Swift.max(1, policy.base.nanoseconds / 1_000_000))
    }

    /// The interval the next draw is taken from.
    public var currentInterval: Duration { .milliseconds(Int64(nextIntervalMilliseconds)) }

    /// Draws the next back-off and advances the interval.
    public mutating func next(using random: inout some RandomNumberGenerator) -> Duration {
        let interval = nextIntervalMilliseconds
        nextIntervalMilliseconds = interval < maxMilliseconds / 2 ? interval * 2 : maxMilliseconds
        let drawn = Swift.min(random.next() % interval, maxMilliseconds)
        return .milliseconds(Int64(drawn))
    }
}

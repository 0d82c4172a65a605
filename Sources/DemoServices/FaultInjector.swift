/// What a demo backend does with one request.
public enum FaultAction: Sendable, Hashable {
    /// Answer with `status` after `delayMillis`.
    case respond(status: Int, delayMillis: Int)
    /// Start the response after `delayMillis`, then close the connection before it completes.
    case reset(delayMillis: Int)
    /// Answer 200 only after `delayMillis` (the hang bound).
    case hang(delayMillis: Int)
}

/// Draws the fault for each request from a `FaultProfile`: a pure decision with an
/// injected random source, so tests can seed it.
public struct FaultInjector: Sendable {
    public let profile: FaultProfile

    public init(profile: FaultProfile) {
        self.profile = profile
    }

    public func decide(using random: inout some RandomNumberGenerator) -> FaultAction {
        var latency = Int.random(in: profile.latencyMillis, using: &random)
        if profile.slowRate > 0, Double.random(in: 0..<1, using: &random) < profile.slowRate { latency += profile.slowMillis }
        let draw = Double.random(in: 0..<1, using: &random)
        if draw < profile.resetRate { return .reset(delayMillis: latency) }
        if draw < profile.resetRate + profile.hangRate { return .hang(delayMillis: profile.hangMillis) }
        if draw < profile.resetRate + profile.hangRate + profile.errorRate {
            return .respond(status: profile.errorStatus, delayMillis: latency)
        }
        return .respond(status: 200, delayMillis: latency)
    }
}

import KeiroModel
import RoutingCore
import Testing

/// Envoy's current JitteredExponentialBackOffStrategy: uniform in [0, interval), interval
/// 25, 50, 100, 200, 250, 250 … ms.
@Suite struct BackoffTests {
    @Test func intervalsDoubleUpToTheCap() {
        var backoff = Backoff(.envoyDefault)
        var random = SplitMix64(seed: 1)
        var intervals: [Duration] = []
        for _ in 0..<7 {
            intervals.append(backoff.currentInterval)
            _ = backoff.next(using: &random)
        }
        #expect(intervals == [25, 50, 100, 200, 250, 250, 250].map { .milliseconds($0) })
    }

    @Test func drawsStayBelowTheIntervalAndCoverIt() {
        for (retry, interval) in [25, 50, 100, 200, 250].enumerated() {
            var seen = Set<Int64>()
            for seed in 0..<2000 {
                var backoff = Backoff(.envoyDefault)
                var random = SplitMix64(seed: UInt64(seed))
                for _ in 0..<retry { _ = backoff.next(using: &random) }
                let drawn = backoff.next(using: &random).nanoseconds / 1_000_000
                #expect(drawn >= 0 && drawn < Int64(interval))
                seen.insert(drawn)
            }
            #expect(seen.count > interval * 9 / 10, "draws cover [0, \(interval)) ms")
        }
    }

    @Test func sameSeedSameDraws() {
        var a = Backoff(.envoyDefault), b = Backoff(.envoyDefault)
        var randomA = SplitMix64(seed: 99), randomB = SplitMix64(seed: 99)
        for _ in 0..<10 { #expect(a.next(using: &randomA) == b.next(using: &randomB)) }
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}

import DemoServices
import KeiroModel
import Testing

@Suite struct FaultInjectorTests {
    @Test func drawsFaultsAtTheConfiguredRates() {
        let injector = FaultInjector(
            profile: FaultProfile(errorRate: 0.3, errorStatus: 502, resetRate: 0.1, hangRate: 0.05, hangMillis: 9_000, latencyMillis: 10...20))
        var random = SplitMix64(seed: 7)
        var counts: [String: Int] = [:]
        let draws = 20_000
        for _ in 0..<draws {
            switch injector.decide(using: &random) {
            case .respond(let status, let delay):
                #expect((10...20).contains(delay))
                counts[status == 502 ? "error" : "ok", default: 0] += 1
            case .reset(let delay):
                #expect((10...20).contains(delay))
                counts["reset", default: 0] += 1
            case .hang(let delay):
                #expect(delay == 9_000)
                counts["hang", default: 0] += 1
            }
        }
        // Within 5 standard deviations of the configured shares.
        for (name, share) in [("error", 0.3), ("reset", 0.1), ("hang", 0.05), ("ok", 0.55)] {
            let expected = share * Double(draws)
            let tolerance = 5 * (Double(draws) * share * (1 - share)).squareRoot()
            #expect(abs(Double(counts[name, default: 0]) - expected) < tolerance, "\(name): \(counts[name, default: 0])")
        }
    }

    @Test func aHealthyProfileAlwaysAnswers200() {
        var random = SplitMix64(seed: 1)
        for _ in 0..<1_000 {
            guard case .respond(200, let delay) = FaultInjector(profile: .healthy).decide(using: &random) else {
                Issue.record("healthy backend injected a fault")
                return
            }
            #expect((1...5).contains(delay))
        }
    }

    @Test func slowRequestsAddTheTail() {
        var random = SplitMix64(seed: 3)
        let injector = FaultInjector(profile: FaultProfile(latencyMillis: 1...1, slowRate: 1, slowMillis: 250))
        #expect(injector.decide(using: &random) == .respond(status: 200, delayMillis: 251))
    }
}

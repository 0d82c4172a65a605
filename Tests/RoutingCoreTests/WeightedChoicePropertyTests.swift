import KeiroModel
import PropertyBased
import RoutingCore
import Testing

/// For any weights, 100k seeded choices split within statistical tolerance of the
/// configured ratio, and weight 0 is never chosen.
@Suite struct WeightedChoicePropertyTests {
    static let draws = 100_000

    /// Weight lists with at least one positive weight, zeros included often.
    static let weights = Gen.int(in: 0...999).map { $0 < 200 ? 0 : $0 }.array(of: 1...6)
        .filter { $0.contains { $0 > 0 } }

    /// |observed − expected| ≤ 5σ of the binomial (+1 for rounding); a false alarm is ~1e-6.
    static func withinTolerance(observed: Int, share: Double, draws: Int) -> Bool {
        let expected = Double(draws) * share
        let sigma = (Double(draws) * share * (1 - share)).squareRoot()
        return abs(Double(observed) - expected) <= 5 * sigma + 1
    }

    @Test func randomSplitMatchesWeights() async {
        await propertyCheck(count: 25, input: Self.weights, Gen.uint64(in: 0...UInt64.max)) { weights, seed in
            let choice = WeightedChoice(weights: weights)!
            var random = SplitMix64(seed: seed)
            var counts = [Int](repeating: 0, count: weights.count)
            for _ in 0..<Self.draws { counts[choice.choose(using: &random)] += 1 }
            let total = Double(weights.reduce(0, +))
            for (weight, count) in zip(weights, counts) {
                if weight == 0 { #expect(count == 0, "weight 0 chosen \(count) times in \(weights)") }
                #expect(Self.withinTolerance(observed: count, share: Double(weight) / total, draws: Self.draws),
                        "\(count) of \(Self.draws) for weight \(weight) in \(weights)")
            }
        }
    }

    @Test func stickyKeysSplitLikeWeightsAndNeverMove() async {
        await propertyCheck(count: 10, input: Self.weights, Gen.uint64(in: 0...UInt64.max)) { weights, seed in
            let choice = WeightedChoice(weights: weights)!
            var counts = [Int](repeating: 0, count: weights.count)
            let keys = 20_000
            for key in 0..<keys {
                let user = "user-\(seed)-\(key)"
                let index = choice.choose(stickyKey: user)
                #expect(choice.choose(stickyKey: user) == index)
                counts[index] += 1
            }
            let total = Double(weights.reduce(0, +))
            for (weight, count) in zip(weights, counts) {
                if weight == 0 { #expect(count == 0) }
                #expect(Self.withinTolerance(observed: count, share: Double(weight) / total, draws: keys))
            }
        }
    }

    @Test func zeroTotalIsRejected() {
        #expect(WeightedChoice(weights: [0, 0]) == nil)
        #expect(WeightedChoice(weights: []) == nil)
        #expect(WeightedChoice(weights: [-1, 5]) == nil)
    }

    @Test func stickyHashIsStableAcrossRuns() {
        // FNV-1a + SplitMix64 finaliser: fixed values, not Swift's per-process seeded Hasher.
        #expect(StableHash.hash("") == SplitMix64.mix(0xcbf2_9ce4_8422_2325))
        #expect(StableHash.hash("user-42") == StableHash.hash(String("user-") + "42"))
        #expect(StableHash.hash("a") != StableHash.hash("b"))
    }

    @Test func stickyRouteKeepsAUserOnTheCanary() throws {
        let table = try Fixture.table("gateway.json")
        var seen = Set<String>()
        for seed in 0..<50 {
            var random = SplitMix64(seed: UInt64(seed))
            guard case .routed(let routed) = table.decide(request("/search", ["feature": "v1", "x-user-id": "alice"]), using: &random) else {
                Issue.record("expected a route")
                return
            }
            #expect(routed.sticky)
            seen.insert(routed.destination.host)
        }
        #expect(seen.count == 1)
    }
}

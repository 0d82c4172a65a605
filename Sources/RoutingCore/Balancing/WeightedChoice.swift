import KeiroModel

/// Picks an index with probability weight / total weight (Istio destination weights and
/// ALB target-group weights are both relative). Weight 0 is never picked.
public struct WeightedChoice: Sendable, Hashable {
    /// Running totals: `cumulative[i]` = weights[0...i] summed.
    private let cumulative: [UInt64]

    /// The sum of all weights.
    public var total: UInt64 { cumulative.last ?? 0 }

    /// Builds a choice over `weights`; nil when there are none or they sum to 0.
    public init?(weights: [Int]) {
        guard weights.allSatisfy({ $0 >= 0 }) else { return nil }
        var running: UInt64 = 0
        cumulative = weights.map { weight in
            running += UInt64(weight)
            return running
        }
        guard running > 0 else { return nil }
    }

    /// Always picks index 0 (a hand-built route whose weights sum to 0).
    static let firstOnly = WeightedChoice(cumulative: [1])

    private init(cumulative: [UInt64]) { self.cumulative = cumulative }

    /// A random pick using `random` (seed it for reproducible tests).
    @inlinable
    public func choose(using random: inout some RandomNumberGenerator) -> Int {
        index(at: random.next(upperBound: total))
    }

    /// A sticky pick: the same key always gives the same index for the same weights, and
    /// keys spread over indices in proportion to the weights.
    @inlinable
    public func choose(stickyKey key: String) -> Int {
        // Multiply-high maps the 64-bit hash onto [0, total) without modulo bias worth noting.
        index(at: StableHash.hash(key).multipliedFullWidth(by: total).high)
    }

    /// The index whose weight interval holds `point` (in `0..<total`).
    @usableFromInline
    func index(at point: UInt64) -> Int {
        // Few destinations in practice: a linear scan beats a binary search.
        for (index, bound) in cumulative.enumerated() where point < bound {
            return index
        }
        return cumulative.count - 1
    }
}

extension FoldedStacks {
    /// flamegraph.pl's differential input (what its `difffolded.pl` writes):
    /// `stack countBefore countAfter` per stack found in either aggregate, sorted by stack,
    /// counts in microseconds (0 where a stack is absent). `flamegraph.pl` colours a frame
    /// red where it grew and blue where it shrank.
    ///
    /// With `normalized`, `before`'s counts are scaled so both totals match (difffolded.pl's
    /// `-n`), which compares where the time goes rather than how much there was — use it
    /// when the two aggregates hold different numbers of traces.
    public static func differential(before: FoldedStacks, after: FoldedStacks, normalized: Bool = false) -> String {
        let a = before.counts
        let b = after.counts
        let totalA = before.totalMicroseconds
        let totalB = after.totalMicroseconds
        func scaled(_ count: UInt64) -> UInt64 {
            guard normalized, totalA > 0 else { return count }
            return UInt64((Double(count) * Double(totalB) / Double(totalA)).rounded())
        }
        let stacks = Set(a.keys).union(b.keys).sorted { $0.lexicographicallyPrecedes($1) }
        return lines(stacks.map { stackText($0) + " \(scaled(a[$0] ?? 0)) \(b[$0] ?? 0)" })
    }
}

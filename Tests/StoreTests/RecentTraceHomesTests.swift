import KeiroModel
@testable import Store
import Testing

/// The writer's memory of recent trace homes keeps the newest traces and forgets the
/// oldest a generation at a time.
@Suite struct RecentTraceHomesTests {
    @Test func keepsTwoGenerations() {
        var homes = RecentTraceHomes()
        let size = RecentTraceHomes.generationSize
        func id(_ n: Int) -> TraceID { TraceID(high: 1, low: UInt64(n)) }
        homes.add((0..<size).map { (id($0), Int64($0 % 7)) })
        #expect(homes[id(0)] == 0 && homes[id(size - 1)] == Int64((size - 1) % 7))
        homes.add((size..<2 * size).map { (id($0), 9) })
        #expect(homes[id(0)] == 0)  // the older generation is still there
        homes.add([(id(2 * size), 10)])
        #expect(homes[id(0)] == nil)  // dropped with the oldest generation
        #expect(homes[id(size)] == 9 && homes[id(2 * size)] == 10)
    }

    @Test func forgetsTheHomesInDroppedSegmentsOfBothGenerations() {
        var homes = RecentTraceHomes()
        let size = RecentTraceHomes.generationSize
        func id(_ n: Int) -> TraceID { TraceID(high: 2, low: UInt64(n)) }
        homes.add((0..<size).map { (id($0), Int64($0 % 4)) })  // the older generation once the next is added
        homes.add([(id(size), 1), (id(size + 1), 5)])
        homes.forget(segmentsThrough: 2)
        #expect(homes[id(0)] == nil && homes[id(1)] == nil && homes[id(2)] == nil)
        #expect(homes[id(3)] == 3 && homes[id(7)] == 3)
        #expect(homes[id(size)] == nil && homes[id(size + 1)] == 5)
    }
}

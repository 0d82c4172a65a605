import KeiroModel
import OTLPWire
import Testing

@testable import SpanExport

@Suite struct ExportQueueTests {
    @Test func ringBufferKeepsOrderAndOverwritesTheOldestWhenFull() {
        var ring = RingBuffer<Int>(capacity: 3)
        #expect(ring.append(1) == nil)
        #expect(ring.append(2) == nil)
        #expect(ring.append(3) == nil)
        #expect(ring.append(4) == 1)
        #expect(ring.append(5) == 2)
        #expect(ring.count == 3)
        #expect(ring.removeFirst() == 3)
        #expect(ring.removeFirst() == 4)
        #expect(ring.append(6) == nil)
        #expect(ring.append(7) == nil)
        #expect(ring.append(8) == 5)
        #expect([ring.removeFirst(), ring.removeFirst(), ring.removeFirst()] == [6, 7, 8])
        #expect(ring.isEmpty)
        #expect(ring.removeFirst() == nil)
    }

    /// Spans wrapping around the end of the byte ring many times come out whole and in
    /// order as request fields; the oldest make room when the bytes run out (dropping by
    /// count: `fullQueueDropsTheOldestSpanAndCountsIt`).
    @Test func byteRingKeepsSpansWholeAcrossTheWrapAndDropsTheOldest() {
        let spans = (0..<200).map { index in EncodedSpan(testSpans(trace: UInt64(index + 1), count: 1 + index % 3)[index % (1 + index % 3)]) }
        let largest = spans.map(\.bytes.count).max()!
        var ring = SpanByteRing(capacity: 5, byteCapacity: largest * 3 + 17)
        var expected: [EncodedSpan] = []
        var queued: [EncodedSpan] = []
        var fields: [UInt8] = []
        var dropped = 0
        for (index, span) in spans.enumerated() {
            dropped += ring.append(span)
            queued.append(span)
            // Never more than 5 spans, nor more bytes than the ring holds.
            while queued.count > 5 || queued.map(\.bytes.count).reduce(0, +) > largest * 3 + 17 { queued.removeFirst() }
            #expect(ring.count == queued.count)
            #expect(ring.byteCount == queued.map(\.bytes.count).reduce(0, +))
            if index % 7 == 6 {
                let taken = ring.take(upTo: 2, into: &fields)
                #expect(taken == min(2, queued.count))
                expected += queued.prefix(taken)
                queued.removeFirst(taken)
            }
        }
        expected += queued
        #expect(ring.take(upTo: .max, into: &fields) == queued.count)
        #expect(ring.isEmpty && ring.byteCount == 0)
        #expect(dropped == spans.count - expected.count)
        #expect(fields == spansFields(expected))
    }

    @Test func spanLargerThanTheByteRingIsDroppedAlone() {
        let spans = encodedSpans(trace: 1, count: 2)
        var ring = SpanByteRing(capacity: 4, byteCapacity: spans[0].bytes.count)
        #expect(ring.append(spans[0]) == 0)
        var padded = testSpans(trace: 2, count: 1)[0]
        padded.attributes.append(Attribute("padding", .string(String(repeating: "x", count: 100))))
        let big = EncodedSpan(padded)
        #expect(ring.append(big) == 1)
        var fields: [UInt8] = []
        #expect(ring.take(upTo: 4, into: &fields) == 1)
        #expect(fields == spansFields([spans[0]]))
    }

    @Test func fullQueueDropsTheOldestSpanAndCountsIt() {
        let spans = encodedSpans(trace: 1, count: 7)
        var state = ExportQueueState(capacity: 4, byteCapacity: 1 << 16)
        var woken = 0
        for span in spans where state.append(span) != nil { woken += 1 }  // nobody waiting: nothing to wake
        let (enqueued, dropped, depth) = (state.enqueued, state.droppedQueueFull, state.spans.count)
        #expect(woken == 0)
        #expect(enqueued == 7)
        #expect(dropped == 3)
        #expect(depth == 4)
        // The newest four survive, oldest first.
        var fields: [UInt8] = []
        #expect(state.spans.take(upTo: 10, into: &fields) == 4)
        #expect(fields == spansFields(Array(spans[3...])))
    }

    @Test func spansAfterStopAreCountedNotQueued() {
        var state = ExportQueueState(capacity: 4, byteCapacity: 1 << 16)
        for span in encodedSpans(trace: 1, count: 3) { _ = state.append(span) }
        let leftover = state.stop()
        _ = state.append(encodedSpans(trace: 2, count: 1)[0])
        let (empty, enqueued, droppedAfterStop) = (state.spans.isEmpty, state.enqueued, state.droppedAfterStop)
        #expect(leftover == 3)
        #expect(empty)
        #expect(enqueued == 4)
        #expect(droppedAfterStop == 1)
    }

    @Test func shutdownKeepsTheFirstDeadline() {
        var state = ExportQueueState(capacity: 4, byteCapacity: 1 << 16)
        let t0 = ContinuousClock.now
        _ = state.requestShutdown(deadline: t0)
        _ = state.requestShutdown(deadline: t0 + .seconds(5))
        let deadline = state.shutdownDeadline
        #expect(deadline == t0)
    }

    /// The waiter is resumed when the depth it asked for is reached, not before.
    @Test func waitReturnsWhenTheRequestedDepthIsReached() async throws {
        let queue = ExportQueue(capacity: 16, byteCapacity: 1 << 16)
        let spans = encodedSpans(trace: 1, count: 3)
        let waiter = Task { await queue.wait(wakeAtCount: 3, wakeOnShutdown: false, until: nil) }
        try await Task.sleep(for: .milliseconds(20))
        queue.append(spans[0])
        queue.append(spans[1])
        queue.append(spans[2])
        await waiter.value
        #expect(queue.status.queued == 3)
    }

    @Test func waitReturnsAtItsDeadlineOnShutdownOrOnCancellation() async throws {
        let queue = ExportQueue(capacity: 16, byteCapacity: 1 << 16)
        let clock = ContinuousClock()
        let timed = await clock.measure {
            await queue.wait(wakeAtCount: 1, wakeOnShutdown: true, until: .now + .milliseconds(50))
        }
        // Never before the deadline. The upper bound only catches a wait that ignores its
        // deadline: on 2 cores the parallel suite's CPU-bound property tests can delay a
        // timer wake-up by seconds, so it is generous.
        #expect(timed >= .milliseconds(50) && timed < .seconds(30))

        let cancelled = Task { await queue.wait(wakeAtCount: 1, wakeOnShutdown: false, until: nil) }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        await cancelled.value

        let shutdown = Task { await queue.wait(wakeAtCount: .max, wakeOnShutdown: true, until: nil) }
        try await Task.sleep(for: .milliseconds(20))
        queue.requestShutdown(deadline: .now + .seconds(1))
        await shutdown.value
    }
}

/// `testSpans`, serialized as the exporter queues them.
private func encodedSpans(trace: UInt64, count: Int) -> [EncodedSpan] {
    testSpans(trace: trace, count: count).map(EncodedSpan.init)
}

/// `spans` as the `ScopeSpans.spans` fields of a request, cut out of the request
/// `EncodedSpan.otlpRequestBytes` makes for them (after its resource and scope).
private func spansFields(_ spans: [EncodedSpan]) -> [UInt8] {
    let full = EncodedSpan.otlpRequestBytes(resource: Resource(), scope: InstrumentationScope(), spans: spans)
    let fieldsLength = spans.reduce(0) { $0 + 2 + ($1.bytes.count >= 128 ? 1 : 0) + $1.bytes.count }
    return Array(full.suffix(fieldsLength))
}

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
        #expect(ring.removeFirst(upTo: 2) == [3, 4])
        #expect(ring.append(6) == nil)
        #expect(ring.append(7) == nil)
        #expect(ring.append(8) == 5)
        #expect(ring.removeFirst(upTo: 10) == [6, 7, 8])
        #expect(ring.isEmpty)
        #expect(ring.removeFirst(upTo: 10) == [])
    }

    @Test func fullQueueDropsTheOldestSpanAndCountsIt() {
        let spans = encodedSpans(trace: 1, count: 7)
        var state = ExportQueueState(capacity: 4)
        var woken = 0
        for span in spans where state.append(span) != nil { woken += 1 }  // nobody waiting: nothing to wake
        let (enqueued, dropped, depth) = (state.enqueued, state.droppedQueueFull, state.buffer.count)
        #expect(woken == 0)
        #expect(enqueued == 7)
        #expect(dropped == 3)
        #expect(depth == 4)
        // The newest four survive, oldest first.
        let kept = state.buffer.removeFirst(upTo: 10)
        #expect(kept == Array(spans[3...]))
    }

    @Test func spansAfterStopAreCountedNotQueued() {
        var state = ExportQueueState(capacity: 4)
        for span in encodedSpans(trace: 1, count: 3) { _ = state.append(span) }
        let leftover = state.stop()
        _ = state.append(encodedSpans(trace: 2, count: 1)[0])
        let (empty, enqueued, droppedAfterStop) = (state.buffer.isEmpty, state.enqueued, state.droppedAfterStop)
        #expect(leftover == 3)
        #expect(empty)
        #expect(enqueued == 4)
        #expect(droppedAfterStop == 1)
    }

    @Test func shutdownKeepsTheFirstDeadline() {
        var state = ExportQueueState(capacity: 4)
        let t0 = ContinuousClock.now
        _ = state.requestShutdown(deadline: t0)
        _ = state.requestShutdown(deadline: t0 + .seconds(5))
        let deadline = state.shutdownDeadline
        #expect(deadline == t0)
    }

    /// The waiter is resumed when the depth it asked for is reached, not before.
    @Test func waitReturnsWhenTheRequestedDepthIsReached() async throws {
        let queue = ExportQueue(capacity: 16)
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
        let queue = ExportQueue(capacity: 16)
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

import Testing

@testable import SpanExport

@Suite struct ExportBatcherStateMachineTests {
    let t0 = ContinuousClock.now

    @Test func emptyQueueWaitsForTheFirstSpanWithoutATimer() {
        var batcher = ExportBatcherStateMachine(maxBatchSize: 512, flushInterval: .seconds(1))
        #expect(batcher.nextAction(queued: 0, now: t0) == .wait(wakeAtCount: 1, deadline: nil))
    }

    @Test func fullBatchGoesAtOnce() {
        var batcher = ExportBatcherStateMachine(maxBatchSize: 512, flushInterval: .seconds(1))
        #expect(batcher.nextAction(queued: 512, now: t0) == .export(count: 512))
        #expect(batcher.nextAction(queued: 2000, now: t0) == .export(count: 512))
    }

    @Test func partialBatchGoesWhenItsOldestSpanIsFlushIntervalOld() {
        var batcher = ExportBatcherStateMachine(maxBatchSize: 512, flushInterval: .seconds(1))
        #expect(batcher.nextAction(queued: 0, now: t0) == .wait(wakeAtCount: 1, deadline: nil))
        // First span seen at t0: wait for a full batch or t0 + 1 s.
        #expect(batcher.nextAction(queued: 1, now: t0) == .wait(wakeAtCount: 512, deadline: t0 + .seconds(1)))
        // More spans do not move the deadline.
        #expect(batcher.nextAction(queued: 40, now: t0 + .milliseconds(400)) == .wait(wakeAtCount: 512, deadline: t0 + .seconds(1)))
        #expect(batcher.nextAction(queued: 41, now: t0 + .seconds(1)) == .export(count: 41))
        // The age starts again for what arrives next.
        #expect(batcher.nextAction(queued: 3, now: t0 + .seconds(2)) == .wait(wakeAtCount: 512, deadline: t0 + .seconds(3)))
    }

    @Test func leftoverAfterAFullBatchStartsANewAge() {
        var batcher = ExportBatcherStateMachine(maxBatchSize: 100, flushInterval: .milliseconds(200))
        #expect(batcher.nextAction(queued: 5, now: t0) == .wait(wakeAtCount: 100, deadline: t0 + .milliseconds(200)))
        #expect(batcher.nextAction(queued: 130, now: t0 + .milliseconds(10)) == .export(count: 100))
        let later = t0 + .milliseconds(30)
        #expect(batcher.nextAction(queued: 30, now: later) == .wait(wakeAtCount: 100, deadline: later + .milliseconds(200)))
    }

    @Test func zeroFlushIntervalSendsWhateverIsQueued() {
        var batcher = ExportBatcherStateMachine(maxBatchSize: 100, flushInterval: .zero)
        #expect(batcher.nextAction(queued: 3, now: t0) == .export(count: 3))
    }

    @Test func shutdownDrainsInBatchesThenFinishes() {
        var batcher = ExportBatcherStateMachine(maxBatchSize: 100, flushInterval: .seconds(60))
        #expect(batcher.nextAction(queued: 250, now: t0) == .export(count: 100))
        batcher.shutdownRequested(deadline: t0 + .seconds(5))
        batcher.shutdownRequested(deadline: t0 + .seconds(50))  // the first deadline holds
        #expect(batcher.drainDeadline == t0 + .seconds(5))
        #expect(batcher.nextAction(queued: 150, now: t0 + .seconds(1)) == .export(count: 100))
        #expect(batcher.nextAction(queued: 50, now: t0 + .seconds(2)) == .export(count: 50))  // no waiting for age
        #expect(batcher.nextAction(queued: 0, now: t0 + .seconds(3)) == .finish)
        #expect(batcher.nextAction(queued: 7, now: t0 + .seconds(3)) == .finish)  // finished for good
    }

    @Test func shutdownDeadlineEndsTheDrainWithSpansLeft() {
        var batcher = ExportBatcherStateMachine(maxBatchSize: 100, flushInterval: .seconds(1))
        batcher.shutdownRequested(deadline: t0 + .seconds(5))
        #expect(batcher.nextAction(queued: 300, now: t0 + .seconds(5)) == .finish)
    }
}

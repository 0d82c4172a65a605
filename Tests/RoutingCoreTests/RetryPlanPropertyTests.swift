import KeiroModel
import PropertyBased
import RoutingCore
import Testing

/// Driving the state machine with arbitrary outcomes and latencies: never more than
/// 1 + attempts tries, never past the route timeout, attempt numbers count up by one.
@Suite struct RetryPlanPropertyTests {
    static let outcomes: [AttemptOutcome] = [
        .response(status: 200), .response(status: 503), .response(status: 500), .response(status: 409),
        .response(status: 200, grpcStatus: 14), .connectFailure, .reset, .refusedStream,
    ]

    static let retryOn = Gen.uint32(in: 0...UInt32(1 << 16 - 1)).map { RetryOn(rawValue: $0) }

    @Test func planStaysWithinAttemptsAndRouteTimeout() async {
        await propertyCheck(
            count: 500,
            input: Gen.int(in: 0...6), Gen.int(in: 1...3_000).optional, Gen.int(in: 1...10_000).optional, Self.retryOn,
            Gen.int(in: 0...(Self.outcomes.count - 1)).array(of: 1...8), Gen.int(in: 0...4_000).array(of: 1...8),
            Gen.uint64(in: 0...UInt64.max)
        ) { attempts, perTryMillis, timeoutMillis, retryOn, outcomeIndices, latencies, seed in
            let policy = RetryPolicy(
                attempts: attempts, perTryTimeout: perTryMillis.map { .milliseconds($0) },
                retryOn: retryOn, retriableStatusCodes: [503]
            )
            let routeTimeout = timeoutMillis.map { Duration.milliseconds($0) }
            var machine = RetryStateMachine(policy: policy, routeTimeout: routeTimeout)
            var random = SplitMix64(seed: seed)
            var now = Duration.zero
            var tries = 0
            var finishedAt: Duration?
            while finishedAt == nil {
                switch machine.startAttempt(at: now) {
                case .giveUp(let reply):
                    #expect(reply.timeout == .overall && reply.status == 504)
                    finishedAt = reply.at
                case .attempt(let number, let deadline, _):
                    tries += 1
                    #expect(number == tries)
                    var outcome = Self.outcomes[outcomeIndices[(tries - 1) % outcomeIndices.count]]
                    var end = now + .milliseconds(latencies[(tries - 1) % latencies.count])
                    if let deadline, end >= deadline {
                        end = deadline
                        outcome = .timedOut
                    }
                    now = end
                    switch machine.attemptEnded(outcome, at: now, using: &random) {
                    case .returnResponse(_, let attempt, _, _):
                        #expect(attempt == tries)
                        finishedAt = now
                    case .giveUp(let reply):
                        finishedAt = reply.at
                    case .retry(let delay, let next, _):
                        #expect(next == tries + 1)
                        #expect(delay >= .zero && delay < .milliseconds(250))
                        now += delay
                    }
                }
            }
            #expect(tries <= 1 + attempts, "\(tries) tries with attempts \(attempts)")
            if let routeTimeout, let finishedAt {
                #expect(finishedAt <= routeTimeout, "finished at \(finishedAt) past timeout \(routeTimeout)")
            }
        }
    }
}

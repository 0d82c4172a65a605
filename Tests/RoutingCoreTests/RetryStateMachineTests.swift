import KeiroModel
import RoutingCore
import Testing

/// The retry/timeout state machine against Envoy's documented behaviour.
@Suite struct RetryStateMachineTests {
    static let fiveXX = RetryPolicy(attempts: 2, perTryTimeout: .seconds(4), retryOn: [.fiveXX, .connectFailure])

    /// Starts a try, expecting one.
    func start(_ machine: inout RetryStateMachine, at time: Duration) throws -> (number: Int, deadline: Duration?, kind: TimeoutKind?) {
        guard case .attempt(let number, let deadline, let kind) = machine.startAttempt(at: time) else {
            Issue.record("expected an attempt at \(time)")
            throw CancellationError()
        }
        return (number, deadline, kind)
    }

    @Test func successOnFirstTry() throws {
        var machine = RetryStateMachine(policy: Self.fiveXX, routeTimeout: .seconds(5))
        var random = SplitMix64(seed: 1)
        let first = try start(&machine, at: .zero)
        #expect(first.number == 1 && first.deadline == .seconds(4) && first.kind == .perTry)
        #expect(machine.attemptEnded(.response(status: 200), at: .milliseconds(30), using: &random)
            == .returnResponse(status: 200, attempt: 1, flags: [], exhausted: nil))
    }

    @Test func retryGetsOnlyWhatIsLeftOfTheRouteTimeout() throws {
        // SPECS: 3 s timeout, first try took 2.7 s → the retry gets 0.3 s.
        let policy = RetryPolicy(attempts: 2, retryOn: [.fiveXX])
        var machine = RetryStateMachine(policy: policy, routeTimeout: .seconds(3))
        var random = SplitMix64(seed: 7)
        _ = try start(&machine, at: .zero)
        guard case .retry(let delay, let attempt, let reason) = machine.attemptEnded(.response(status: 503), at: .milliseconds(2700), using: &random) else {
            Issue.record("expected a retry")
            return
        }
        #expect(attempt == 2 && reason.token == "5xx" && reason.description == "503 (retryOn 5xx)")
        #expect(delay < .milliseconds(25))
        let second = try start(&machine, at: .milliseconds(2700) + delay)
        #expect(second.number == 2 && second.deadline == .seconds(3) && second.kind == .overall)
        let decision = machine.attemptEnded(.timedOut, at: .seconds(3), using: &random)
        #expect(decision == .giveUp(LocalReply(
            status: 504, body: "upstream request timeout", flags: [.upstreamRequestTimeout],
            details: "upstream_response_timeout", attempt: 2, timeout: .overall, at: .seconds(3)
        )))
    }

    @Test func perTryTimeoutAtOrAboveRouteTimeoutHasNoEffect() throws {
        let policy = RetryPolicy(attempts: 2, perTryTimeout: .seconds(5), retryOn: [.fiveXX])
        var machine = RetryStateMachine(policy: policy, routeTimeout: .seconds(5))
        let first = try start(&machine, at: .zero)
        #expect(first.deadline == .seconds(5) && first.kind == .overall)
    }

    @Test(arguments: [
        ("5xx", true), ("gateway-error", true), ("reset", true),
        ("connect-failure", false), ("retriable-4xx", false), ("refused-stream", false), ("503", false),
    ])
    func timedOutTryIsRetriedOnlyWith5xxGatewayErrorOrReset(retryOn: String, retried: Bool) throws {
        var policy = RetryPolicy(attempts: 1, perTryTimeout: .seconds(1), retryOn: [])
        policy.retryOn = RetryOn.condition(named: retryOn) ?? .retriableStatusCodes
        policy.retriableStatusCodes = retryOn == "503" ? [503] : []
        var machine = RetryStateMachine(policy: policy, routeTimeout: nil)
        var random = SplitMix64(seed: 3)
        _ = try start(&machine, at: .zero)
        let decision = machine.attemptEnded(.timedOut, at: .seconds(1), using: &random)
        if retried {
            guard case .retry(_, 2, let reason) = decision else {
                Issue.record("expected a retry, got \(decision)")
                return
            }
            #expect(reason.outcome == .timedOut && reason.token == retryOn)
        } else {
            #expect(decision == .giveUp(LocalReply(
                status: 504, body: "upstream request timeout", flags: [.upstreamRequestTimeout],
                details: "upstream_per_try_timeout", attempt: 1, timeout: .perTry, at: .seconds(1)
            )))
        }
    }

    @Test func retryLimitReturnsLastResponseWithURX() throws {
        var machine = RetryStateMachine(policy: Self.fiveXX, routeTimeout: nil)
        var random = SplitMix64(seed: 5)
        var now = Duration.zero
        for attempt in 1...3 {
            let started = try start(&machine, at: now)
            #expect(started.number == attempt)
            now += .milliseconds(10)
            let decision = machine.attemptEnded(.response(status: 503), at: now, using: &random)
            if attempt < 3 {
                guard case .retry(let delay, let next, _) = decision else {
                    Issue.record("expected retry \(attempt)")
                    return
                }
                #expect(next == attempt + 1)
                now += delay
            } else {
                let reason = RetryReason(condition: .fiveXX, outcome: .response(status: 503))
                #expect(decision == .returnResponse(status: 503, attempt: 3, flags: [.upstreamRetryLimitExceeded], exhausted: reason))
            }
        }
    }

    @Test func nonRetriableResponseIsReturnedAsIs() throws {
        var machine = RetryStateMachine(policy: Self.fiveXX, routeTimeout: nil)
        var random = SplitMix64(seed: 5)
        _ = try start(&machine, at: .zero)
        #expect(machine.attemptEnded(.response(status: 404), at: .milliseconds(3), using: &random)
            == .returnResponse(status: 404, attempt: 1, flags: [], exhausted: nil))
    }

    @Test func connectFailureGivesUF503() throws {
        var machine = RetryStateMachine(policy: .disabled, routeTimeout: nil)
        var random = SplitMix64(seed: 5)
        _ = try start(&machine, at: .zero)
        guard case .giveUp(let reply) = machine.attemptEnded(.connectFailure, at: .milliseconds(1), using: &random) else {
            Issue.record("expected give up")
            return
        }
        #expect(reply.status == 503 && reply.flags == [.upstreamConnectionFailure] && reply.flagsDescription == "UF")
        #expect(reply.body == "upstream connect error or disconnect/reset before headers. reset reason: connection failure")
    }

    @Test func connectFailuresExhaustedGiveUFAndURX() throws {
        var machine = RetryStateMachine(policy: RetryPolicy(attempts: 1, retryOn: [.connectFailure]), routeTimeout: nil)
        var random = SplitMix64(seed: 5)
        _ = try start(&machine, at: .zero)
        guard case .retry(let delay, 2, _) = machine.attemptEnded(.connectFailure, at: .milliseconds(1), using: &random) else {
            Issue.record("expected a retry")
            return
        }
        _ = try start(&machine, at: .milliseconds(1) + delay)
        guard case .giveUp(let reply) = machine.attemptEnded(.connectFailure, at: .milliseconds(40), using: &random) else {
            Issue.record("expected give up")
            return
        }
        #expect(reply.flagsDescription == "UF,URX" && reply.attempt == 2)
    }

    @Test func resetGivesUR503() throws {
        var machine = RetryStateMachine(policy: .disabled, routeTimeout: nil)
        var random = SplitMix64(seed: 5)
        _ = try start(&machine, at: .zero)
        guard case .giveUp(let reply) = machine.attemptEnded(.reset, at: .milliseconds(1), using: &random) else {
            Issue.record("expected give up")
            return
        }
        #expect(reply.status == 503 && reply.flags == [.upstreamRemoteReset])
    }

    @Test func backOffThatWouldOutliveTheRouteTimeoutRepliesUTAtTheDeadline() throws {
        var policy = RetryPolicy(attempts: 5, retryOn: [.fiveXX])
        policy.backoff = Backoff.Policy(base: .seconds(10))
        var machine = RetryStateMachine(policy: policy, routeTimeout: .seconds(1))
        var random = SplitMix64(seed: 11)
        _ = try start(&machine, at: .zero)
        // Draws in [0, 10 s): with this seed the draw lands past the 1 s deadline.
        let decision = machine.attemptEnded(.response(status: 500), at: .milliseconds(900), using: &random)
        guard case .giveUp(let reply) = decision else {
            Issue.record("expected UT, got \(decision)")
            return
        }
        #expect(reply.status == 504 && reply.at == .seconds(1) && reply.timeout == .overall && reply.flags == [.upstreamRequestTimeout])
    }

    @Test func startingAfterTheRouteDeadlineGivesUp() {
        var machine = RetryStateMachine(policy: Self.fiveXX, routeTimeout: .seconds(1))
        guard case .giveUp(let reply) = machine.startAttempt(at: .seconds(2)) else {
            Issue.record("expected give up")
            return
        }
        #expect(reply.status == 504 && reply.attempt == 0 && reply.at == .seconds(1))
    }
}

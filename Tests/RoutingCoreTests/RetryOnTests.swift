import RoutingCore
import Testing

/// Which outcomes each `retryOn` token retries (Envoy router semantics).
@Suite struct RetryOnTests {
    static let outcomes: [AttemptOutcome] = [
        .response(status: 500), .response(status: 502), .response(status: 503), .response(status: 504),
        .response(status: 409), .response(status: 429, rateLimited: true), .response(status: 200, grpcStatus: 14),
        .response(status: 200, grpcStatus: 1), .response(status: 200, grpcStatus: 4), .response(status: 200, grpcStatus: 8),
        .response(status: 200, grpcStatus: 13), .response(status: 404), .connectFailure, .reset, .refusedStream, .timedOut,
    ]

    /// token → the outcomes it retries (all others are final).
    static let table: [(token: String, retried: [AttemptOutcome])] = [
        ("5xx", [.response(status: 500), .response(status: 502), .response(status: 503), .response(status: 504),
                 .connectFailure, .reset, .refusedStream, .timedOut]),
        ("gateway-error", [.response(status: 502), .response(status: 503), .response(status: 504),
                           .connectFailure, .reset, .refusedStream, .timedOut]),
        ("reset", [.connectFailure, .reset, .refusedStream, .timedOut]),
        ("reset-before-request", [.connectFailure, .refusedStream]),
        ("connect-failure", [.connectFailure]),
        ("retriable-4xx", [.response(status: 409)]),
        ("refused-stream", [.refusedStream]),
        ("retriable-status-codes", []),  // with no codes listed
        ("503", [.response(status: 503)]),
        ("retriable-status-codes,404", [.response(status: 404)]),
        ("retriable-headers", []),
        ("envoy-ratelimited", [.response(status: 429, rateLimited: true)]),
        ("http3-post-connect-failure", []),
        ("cancelled", [.response(status: 200, grpcStatus: 1)]),
        ("deadline-exceeded", [.response(status: 200, grpcStatus: 4)]),
        ("internal", [.response(status: 200, grpcStatus: 13)]),
        ("resource-exhausted", [.response(status: 200, grpcStatus: 8)]),
        ("unavailable", [.response(status: 200, grpcStatus: 14)]),
    ]

    @Test(arguments: table.map(\.token))
    func tokenRetriesExactlyItsOutcomes(token: String) throws {
        let retried = try #require(Self.table.first { $0.token == token }).retried
        let yaml = virtualService(http: """
              - route: [{ destination: { host: a } }]
                retries: { attempts: 1, retryOn: "\(token)" }
        """)
        let policy = try ConfigLoader.load(yaml: yaml).routeSets[0].routes[0].retries
        for outcome in Self.outcomes {
            let condition = policy.retryCondition(for: outcome)
            #expect((condition != nil) == retried.contains(outcome), "\(token) on \(outcome)")
        }
    }

    @Test func everyEnvoyTokenIsCovered() {
        let tested = Set(Self.table.map(\.token).flatMap { $0.split(separator: ",").map(String.init) })
        #expect(Set(RetryOn.tokens.map(\.token)).isSubset(of: tested))
    }

    @Test func numericTokensBecomeRetriableStatusCodes() throws {
        let yaml = virtualService(http: """
              - route: [{ destination: { host: a } }]
                retries: { attempts: 3, retryOn: "gateway-error,503,429" }
        """)
        let policy = try ConfigLoader.load(yaml: yaml).routeSets[0].routes[0].retries
        #expect(policy.retryOn == [.gatewayError, .retriableStatusCodes])
        #expect(policy.retriableStatusCodes == [429, 503])
        #expect(policy.retryOnDescription == "gateway-error,retriable-status-codes,429,503")
    }

    @Test func istioDefaultsWhenRetriesUnset() throws {
        let table = try Fixture.table("sidecar-reviews.yaml")
        let route = table.routeSet.routes[0]
        #expect(route.retriesSource == .istioDefault && route.timeout == nil)
        #expect(route.retries.attempts == 2 && route.retries.perTryTimeout == nil)
        #expect(route.retries.retryOn == [.connectFailure, .refusedStream, .unavailable, .cancelled, .retriableStatusCodes])
        #expect(route.retries.retriableStatusCodes == [503])
        #expect(route.retries.backoff == Backoff.Policy(base: .milliseconds(25), max: .milliseconds(250)))
    }

    @Test func attemptsWithoutRetryOnKeepsIstioDefaultConditions() throws {
        let yaml = virtualService(http: """
              - route: [{ destination: { host: a } }]
                retries: { attempts: 5, perTryTimeout: 250ms, backoff: 10ms }
        """)
        let policy = try ConfigLoader.load(yaml: yaml).routeSets[0].routes[0].retries
        #expect(policy.attempts == 5 && policy.perTryTimeout == .milliseconds(250))
        #expect(policy.retryOn == RetryPolicy.istioDefault.retryOn && policy.retriableStatusCodes == [503])
        #expect(policy.backoff == Backoff.Policy(base: .milliseconds(10), max: .milliseconds(100)))
    }

    @Test func attemptsZeroDisablesRetries() throws {
        let yaml = virtualService(http: """
              - route: [{ destination: { host: a } }]
                retries: { attempts: 0 }
        """)
        let route = try ConfigLoader.load(yaml: yaml).routeSets[0].routes[0]
        #expect(route.retries == .disabled && route.retriesSource == .configured)
    }

    @Test func zeroTimeoutDisablesTheRouteTimeout() throws {
        let yaml = virtualService(http: """
              - route: [{ destination: { host: a } }]
                timeout: 0s
        """)
        #expect(try ConfigLoader.load(yaml: yaml).routeSets[0].routes[0].timeout == nil)
    }
}

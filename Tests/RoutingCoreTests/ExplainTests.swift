import RoutingCore
import Testing

/// `routes explain` output: what matched and why, shares, policy in force.
@Suite struct ExplainTests {
    @Test func explainsHeaderRouting() throws {
        let table = try Fixture.table("sidecar-reviews.yaml", "endpoints.yaml")
        let explanation = table.explain(request("/reviews", ["feature": "v2"]))
        #expect(explanation.matchedIndex == 1)
        let text = explanation.render()
        #expect(text.contains("sidecar reviews (namespace reviews), hosts reviews.reviews.svc.cluster.local"))
        #expect(text.contains(#"route[0] "feature-v1""#) && text.contains(#"failed, header feature: wanted exact "v1", got "v2""#))
        #expect(text.contains(#"route[1] "feature-v2""#) && text.contains("MATCHED"))
        #expect(text.contains("reviews-v2.reviews.svc.cluster.local  weight 100  share 100.0%  → 127.0.0.1:9312"))
        #expect(text.contains("Retries: 2 retries (at most 3 tries) on connect-failure,refused-stream,retriable-status-codes,cancelled,unavailable,503; no per-try timeout; back-off 25ms base, 250ms cap, full jitter [istio default]"))
        #expect(text.contains("Timeout: disabled"))
        #expect(!text.contains("route[2]"))  // first match wins: later routes are not evaluated
    }

    @Test func explainsSharesAndConfiguredPolicy() throws {
        let text = try Fixture.table("sidecar-search.yaml").explain(request("/search")).render()
        #expect(text.contains("matches every request"))
        #expect(text.contains("subset primary  weight 90  share 90.0%"))
        #expect(text.contains("subset canary  weight 10  share 10.0%"))
        #expect(text.contains("2 retries (at most 3 tries) on 5xx,connect-failure; per-try timeout 4s"))
        #expect(text.contains("[configured]") && text.contains("Timeout: 5s"))
    }

    @Test func explainsNoRoute() throws {
        let text = try Fixture.table("gateway.yaml").explain(request("/nope")).render()
        #expect(text.contains(#"uri: wanted prefix "/search", got "/nope""#))
        #expect(text.contains("404 with response flag NR"))
    }
}

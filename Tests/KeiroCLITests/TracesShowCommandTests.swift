import Foundation
import KeiroModel
import Store
import TestSupport
import Testing

@testable import keiro

/// `keiro traces show`: a stored retry trace whose edge hop used a 128-bit id and the rest
/// B3 64-bit ids, explained with flags, evidence, critical path and warnings.
@Suite struct TracesShowCommandTests {
    typealias F = StoredTraceFixtures

    @Test func textMarksFlagsOnTheirSpansAndListsTheEvidence() async throws {
        try await withTemporaryStore { store in
            try await F.writeRetryTrace(store)
            let text = try await TracesCommand.Show.parse([F.retryTrace.hexString]).output(store)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines[0] == "trace \(F.retryTrace.hexString)  100.000ms  9 spans")
            #expect(lines[1].hasPrefix("  warning: ") && lines[1].contains(TraceID(high: 0, low: F.retryTrace.low).hexString))
            // One line per span in tree order: offset, duration, bar, hop and name by depth, marks.
            let spans = lines.filter { $0.hasPrefix("+") }
            #expect(spans.count == 9)
            #expect(spans[0] == "+0.000ms    100.000ms  |" + String(repeating: "█", count: 40) + "| edge: GET /search ✗ ◆  ⚑ error[5]")
            let marks = spans.map { $0.split(separator: "|").last!.trimmingCharacters(in: .whitespaces) }
            #expect(marks == [
                "edge: GET /search ✗ ◆  ⚑ error[5]",
                "edge: GET ✗ ◆  ⚑ error[5]",
                "gateway: GET /search ✗ ◆  ⚑ retries-exhausted[1] error[5]",
                "gateway: GET ✗ ◆  ⚑ retries-exhausted[1] retried[2] absorbed-error[3]",
                "search-api: GET /search ✗ ◆  ⚑ absorbed-error[3]",
                "gateway: GET ✗ ◆  ⚑ retries-exhausted[1] retried[2] absorbed-error[4]",
                "gateway: GET ✗ ◆  ⚑ retries-exhausted[1] retried[2] error[5]",
                "search-api: GET /search ✗ ◆  ⚑ error[5]",
                "edge: write access log",
            ])
            #expect(spans[8] == "+5.000ms    45.000ms   |  ██████████████████                    |   edge: write access log")

            let tail = Array(lines.drop { $0 != "" })
            #expect(tail == [
                "",
                "critical path (◆): edge → gateway → search-api",
                "flags recorded at ingest (what --flag finds): error",
                "Flags: retried,retries-exhausted,error,absorbed-error",
                "  [1] retries-exhausted  at edge → gateway",
                "      gateway gave up after 3 attempts (URX) and answered status 503 URX, the last try ended with status 503",
                "  [2] retried  at edge → gateway",
                "      gateway → search-api-primary (route search): 3 attempts; try 1: status 503, retried on status 503 (retryOn 5xx); "
                    + "try 2: connection_refused, retried on connect failure (retryOn connect-failure); try 3: status 503",
                "  [3] absorbed-error  at edge → gateway → search-api",
                "      error origin: search-api GET /search (status 503); passed up by gateway; absorbed: gateway retried the call",
                "  [4] absorbed-error  at edge → gateway",
                "      error origin: gateway GET (connection_refused); absorbed: gateway retried the call",
                "  [5] error  at edge → gateway → search-api",
                "      error origin: search-api GET /search (status 503); passed up by gateway → edge",
            ])
        }
    }

    @Test func jsonHasSummaryFlagsFindingsWarningsAndNodes() async throws {
        try await withTemporaryStore { store in
            try await F.writeRetryTrace(store)
            let json = try await TracesCommand.Show.parse([F.retryTrace.hexString, "--json"]).output(store)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["traceId"] as? String == F.retryTrace.hexString)
            #expect(object["joinedTraceIds"] as? [String] == [TraceID(high: 0, low: F.retryTrace.low).hexString])
            #expect(object["flags"] as? [String] == ["retried", "retries-exhausted", "error", "absorbed-error"])
            #expect(object["criticalPathHops"] as? [String] == ["edge", "gateway", "search-api"])
            let summary = try #require(object["summary"] as? [String: Any])
            #expect(summary["spanCount"] as? Int == 3)  // the edge's spans: the rest are stored under the 64-bit id
            #expect(summary["flags"] as? [String] == ["error"])
            #expect((object["warnings"] as? [String])?.count == 1)
            let findings = try #require(object["findings"] as? [[String: Any]])
            #expect(findings.map { $0["flag"] as? String } == ["retries-exhausted", "retried", "absorbed-error", "absorbed-error", "error"])
            #expect(findings[1]["spanIds"] as? [String] == [1004, 1006, 1007].map { SpanID($0).hexString })
            #expect(findings[1]["hopChain"] as? [String] == ["edge", "gateway"])
            #expect(findings[1]["inferred"] as? Bool == false)
            let nodes = try #require(object["nodes"] as? [[String: Any]])
            #expect(nodes.count == 9)
            let tryThree = try #require(nodes.first { $0["spanId"] as? String == SpanID(1007).hexString })
            #expect(tryThree["onCriticalPath"] as? Bool == true)
            #expect(tryThree["flags"] as? [String] == ["retries-exhausted", "retried", "error"])
            #expect((tryThree["hop"] as? [String: String])?["role"] == "gateway")
            #expect(tryThree["criticalPathNanos"] as? Int == 2_000_000)
            let accessLog = try #require(nodes.first { $0["spanId"] as? String == SpanID(1009).hexString })
            #expect(accessLog["onCriticalPath"] as? Bool == false)
            #expect(accessLog["criticalPathNanos"] as? Int == 0)
            #expect(accessLog["flags"] as? [String] == [])
            #expect((accessLog["hop"] as? [String: String])?["label"] == "edge")
            let parents = nodes.compactMap { $0["parentIndex"] as? Int }
            #expect(parents.count == 8 && parents.allSatisfy { nodes.indices.contains($0) })
        }
    }

    @Test func unknownAndMalformedIDs() async throws {
        try await withTemporaryStore { store in
            try await F.writeRetryTrace(store)
            await #expect(throws: NotFound.self) { try await TracesCommand.Show.parse([F.trace(99).hexString]).output(store) }
            await #expect(throws: (any Error).self) { try await TracesCommand.Show.parse(["xyz"]).output(store) }
        }
    }
}

import ArgumentParser
import Foundation
import KeiroModel
import Store
import TestSupport
import Testing

@testable import keiro

/// `keiro traces list`: every filter option parsed by the command, turned into a
/// `TraceQuery` by the shared parameter parser and run against a real store.
@Suite struct TracesListCommandTests {
    typealias F = StoredTraceFixtures

    /// Arguments → the seeds of the traces found, in order.
    private static let cases: [([String], [UInt64])] = [
        ([], [4, 3, 2, 1, 0]),
        (["--service", "gateway"], [4, 2, 1, 0]),
        (["--service", "gateway", "--limit", "2"], [4, 2]),
        (["--service", "ratings"], [3]),
        (["--operation", "GET /reviews"], [3]),
        (["--route", "/search"], [4, 1, 0]),
        (["--path-prefix", "/it"], [2]),
        (["--header", "feature=v1"], [1]),
        (["--header", "Feature: v1"], [1]),
        (["--header", "feature=v9"], []),
        (["--header", "feature=v1", "--route", "/items"], []),
        (["--status", "504"], [4]),
        (["--status", "503"], [3, 2]),
        (["--errors"], [4, 3, 2]),
        (["--min-duration", "25ms"], [4, 3, 2]),
        (["--max-duration", "0.02s"], [1, 0]),
        (["--min-duration", "15ms", "--max-duration", "45ms", "--route", "/search"], [1]),
        (["--min-span-duration", "35ms"], [4, 3]),
        (["--min-span-duration", "30ms", "--service", "ratings"], [3]),
        (["--min-span-duration", "36ms", "--service", "ratings"], []),
        (["--flag", "retried"], [3]),
        (["--flag", "retry"], [3]),
        (["--flag", "timeout"], [4]),
        (["--flag", "error"], [4, 2]),  // 3's error was absorbed by a retry
        (["--flag", "per-try-timeout", "--flag", "retried"], []),
        (["--order", "oldest", "--limit", "2"], [0, 1]),
        (["--order", "longest", "--limit", "2"], [4, 3]),
        (["--order", "shortest", "--limit", "3"], [0, 1, 2]),
        (["--start", String(F.start(2))], [4, 3, 2]),
        (["--end", String(F.start(2))], [1, 0]),
        (["--end", "2023-11-14T22:13:21Z", "--order", "oldest"], [0, 1, 2, 3, 4]),
        (["--start", "2023-11-14T22:13:21Z"], []),
        (["--since", "1h"], [4, 3, 2, 1, 0]),
        (["--since", "10m", "--order", "oldest"], []),
    ]

    /// `--since` is anchored here: 30 minutes after the traces.
    private static let now = F.base + 1_800_000_000_000

    @Test func everyFilterFindsTheRightTraces() async throws {
        try await withTemporaryStore { store in
            try await F.writeListTraces(store)
            for (arguments, expected) in Self.cases {
                let query = try TracesCommand.List.parse(arguments).query(now: Self.now)
                let found = try await store.findTraces(query).map(\.traceID)
                #expect(found == expected.map(F.trace), "keiro traces list \(arguments.joined(separator: " "))")
            }
        }
    }

    @Test func optionsBecomeTheSameQueryAsTheHTTPParameters() throws {
        let command = try TracesCommand.List.parse([
            "--service", "gateway", "--route", "/search", "--header", "feature=v1", "--header", "x-tenant=a", "--flag", "retried",
            "--flag", "canary", "--min-duration", "1s", "--errors", "--order", "longest", "--limit", "7", "--since", "1h",
        ])
        let parameters: [(name: String, value: String)] = [
            ("service", "gateway"), ("route", "/search"), ("header", "feature=v1"), ("header", "x-tenant=a"), ("flag", "retried"),
            ("flag", "canary"), ("min-duration", "1s"), ("errors", "true"), ("order", "longest"), ("limit", "7"), ("since", "1h"),
        ]
        #expect(try command.query(now: Self.now) == TraceQuery(parameters: parameters, now: Self.now))
        #expect(try TracesCommand.List.parse([]).query(now: Self.now) == TraceQuery(limit: 20))
    }

    @Test(arguments: [
        (["--flag", "nope"], "--flag: unknown flag 'nope'; known: retried"),
        (["--min-duration", "5 parsecs"], "--min-duration: '5 parsecs' is not a duration"),
        (["--header", "feature"], "--header: 'feature' is not name=value"),
        (["--status", "999"], "--status: '999' is not an HTTP status code"),
        (["--order", "sideways"], "--order: use newest, oldest, longest, shortest"),
        (["--limit", "0"], "--limit: '0' is not a number from 1 to 10000"),
        (["--start", "yesterday"], "--start: 'yesterday' is neither an RFC 3339 time nor unix nanoseconds"),
        (["--min-duration", "2s", "--max-duration", "1s"], "--min-duration: is greater than max-duration"),
    ])
    func badInputIsAUsageErrorNamingTheOption(arguments: [String], message: String) throws {
        // Rejected while parsing (validate), with the message ArgumentParser prints above the usage.
        let error = try #require(throws: (any Error).self) { try TracesCommand.List.parse(arguments) }
        #expect(TracesCommand.List.message(for: error).hasPrefix(message))
        #expect(TracesCommand.List.exitCode(for: error) == .validationFailure)
    }

    @Test func tableShowsRootDurationCountsAndFlags() async throws {
        try await withTemporaryStore { store in
            try await F.writeListTraces(store)
            let command = try TracesCommand.List.parse(["--order", "oldest", "--limit", "5"])
            let lines = try command.render(try await store.findTraces(command.query(now: Self.now))).split(separator: "\n").map(String.init)
            #expect(lines.count == 6)
            #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["START", "TRACE", "ROOT", "DURATION", "SPANS", "ERRORS", "FLAGS"])
            let columns = lines.dropFirst().map { $0.components(separatedBy: "  ").filter { !$0.isEmpty }.map { $0.trimmingCharacters(in: .whitespaces) } }
            #expect(columns[0] == ["2023-11-14T22:13:20.000Z", F.trace(0).hexString, "gateway: GET /search", "10.000ms", "1", "0", "-"])
            #expect(columns[3] == ["2023-11-14T22:13:20.003Z", F.trace(3).hexString, "reviews: GET /reviews", "40.000ms", "4", "1", "retried"])
            #expect(columns[4][6] == "per-try-timeout,overall-timeout,error")

            let json = try TracesCommand.List.parse(["--flag", "retried", "--json"])
            let decoded = try JSONSerialization.jsonObject(with: Data(json.render(try await store.findTraces(json.query(now: Self.now))).utf8))
            let traces = try #require(decoded as? [[String: Any]])
            #expect(traces.count == 1)
            #expect(traces.first?["traceId"] as? String == F.trace(3).hexString)
            #expect(traces.first?["flags"] as? [String] == ["retried"])
            #expect(traces.first?["rootRoute"] as? String == "/reviews")
        }
    }
}

import ArgumentParser
import KeiroModel
import Store
import TestSupport
import Testing

@testable import keiro

/// `keiro flame`: one trace, every trace a filter finds, and two selections compared.
@Suite struct FlameCommandTests {
    typealias F = StoredTraceFixtures

    /// The traces start at `F.base`; `--since` is anchored a minute later.
    private static let now = F.base + 60_000_000_000

    private func output(_ arguments: [String], _ store: SQLiteSpanStore) async throws -> FlameCommand.Output {
        try await FlameCommand.parse(arguments).output(store, now: Self.now)
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    @Test func oneTraceAsFoldedStacksOrText() async throws {
        try await withTemporaryStore { store in
            try await F.writeFlameTraces(store)
            let folded = try await output([F.trace(20).hexString], store)
            #expect(folded.profile == "gateway: GET /search 4000\ngateway: GET /search;search-api: GET /search 6000\n")
            #expect(folded.notes.isEmpty)
            let text = try await output([F.trace(20).hexString, "--format", "text"], store)
            #expect(lines(text.profile) == [
                "total 10.000ms self time in 2 stacks",
                "share   inclusive    self",
                "100.0%  10.000ms     4.000ms      |██████████████████████████████| gateway: GET /search",
                " 60.0%  6.000ms      6.000ms      |██████████████████            |   search-api: GET /search",
            ])
        }
    }

    @Test func aggregateFoldsEveryMatchingTrace() async throws {
        try await withTemporaryStore { store in
            try await F.writeFlameTraces(store)
            let search = try await output(["--route", "/search", "--since", "1h"], store)
            #expect(lines(search.profile) == [
                "gateway: GET /search 14000",
                "gateway: GET /search;search-api: GET /search 16000",
            ])
            #expect(search.notes == ["folded 2 traces"])

            let all = try await output([], store)
            #expect(lines(all.profile) == [
                "gateway: GET /items 3000",
                "gateway: GET /items;items-api: GET /items 3000",
                "gateway: GET /search 14000",
                "gateway: GET /search;search-api: GET /search 16000",
            ])

            let capped = try await output(["--route", "/search", "--limit", "1"], store)
            #expect(lines(capped.profile) == ["gateway: GET /search 10000", "gateway: GET /search;search-api: GET /search 10000"])
            #expect(capped.notes.count == 1 && capped.notes[0].hasPrefix("folded 1 trace; more match: only the first 1 were folded"))

            let longestFirst = try await output(["--route", "/search", "--limit", "1", "--order", "shortest"], store)
            #expect(lines(longestFirst.profile) == ["gateway: GET /search 4000", "gateway: GET /search;search-api: GET /search 6000"])

            let text = try await output(["--service", "gateway", "--format", "text", "--min-share", "20"], store)
            #expect(lines(text.profile).map { $0.split(separator: "|").last!.trimmingCharacters(in: .whitespaces) } == [
                "total 36.000ms self time in 4 stacks", "share   inclusive    self", "gateway: GET /search", "search-api: GET /search",
            ])

            await #expect(throws: NotFound.self) { try await output(["--since", "1h", "--route", "/nothing"], store) }
            await #expect(throws: NotFound.self) { try await output(["--since", "1s"], store) }
        }
    }

    @Test func differentialComparesTwoSelections() async throws {
        try await withTemporaryStore { store in
            try await F.writeFlameTraces(store)
            let routes = try await output(["--baseline", "route=/search", "--compare", "route=/items"], store)
            #expect(lines(routes.profile) == [
                "gateway: GET /items 0 3000",
                "gateway: GET /items;items-api: GET /items 0 3000",
                "gateway: GET /search 14000 0",
                "gateway: GET /search;search-api: GET /search 16000 0",
            ])
            #expect(routes.notes == [
                "baseline (route=/search): folded 2 traces", "compare (route=/items): folded 1 trace",
                "the sides hold different numbers of traces; --normalize compares shares instead of totals",
            ])

            // Shared filters apply to both sides; a side's own parameters replace single-valued ones.
            let slowVsFast = try await output(
                ["--route", "/search", "--since", "1h", "--baseline", "max-duration=15ms", "--compare", "min-duration=15ms,since=2h"], store)
            #expect(lines(slowVsFast.profile) == [
                "gateway: GET /search 4000 10000",
                "gateway: GET /search;search-api: GET /search 6000 10000",
            ])
            #expect(slowVsFast.notes.count == 2)

            let normalized = try await output(["--baseline", "route=/search", "--compare", "route=/search,max-duration=10ms", "--normalize"], store)
            // Baseline total 30 ms scaled to the compare side's 10 ms.
            #expect(lines(normalized.profile) == [
                "gateway: GET /search 4667 4000",
                "gateway: GET /search;search-api: GET /search 5333 6000",
            ])
        }
    }

    @Test(arguments: [
        (["0af7651916cd43dd8448eb211c80319c", "--route", "/search"], "give a trace id, or filters"),
        (["0af7651916cd43dd8448eb211c80319c", "--baseline", "route=/a", "--compare", "route=/b"], "give a trace id, or filters"),
        (["--baseline", "route=/a"], "--baseline and --compare go together"),
        (["--compare", "route=/a"], "--baseline and --compare go together"),
        (["--baseline", "route=/a", "--compare", "route=/b", "--format", "text"], "--format text shows one profile"),
        (["--normalize", "--route", "/a"], "--normalize applies to --baseline/--compare"),
        (["--min-share", "101"], "--min-share is a percentage"),
    ])
    func inconsistentModesAreRejected(arguments: [String], message: String) throws {
        let error = try #require(throws: (any Error).self) { try FlameCommand.parse(arguments) }
        #expect(FlameCommand.message(for: error).hasPrefix(message))
    }

    @Test func selectionsAreParsedWithTheQueryParameters() throws {
        #expect(try TraceSelection.parameters("route=/search,flag=canary,header=feature=v1").map { "\($0.name)|\($0.value)" }
            == ["route|/search", "flag|canary", "header|feature=v1"])
        #expect(try TraceSelection.parameters("operation=GET /a,b,since=1h").map { "\($0.name)|\($0.value)" }
            == ["operation|GET /a,b", "since|1h"])
        #expect(try TraceSelection.parameters("").isEmpty)
        #expect(throws: ValidationError.self) { try TraceSelection.parameters("/search") }
        for (arguments, message) in [
            (["--baseline", "route=/a", "--compare", "flag=nope"], "--flag: unknown flag 'nope'"),
            (["--baseline", "rout=/a", "--compare", "route=/b"], "--rout: unknown parameter"),
            (["--baseline", "route=/a", "--compare", "/b"], "'/b' in '/b' is not name=value"),
            (["--route", "/a", "--min-duration", "fast"], "--min-duration: 'fast' is not a duration"),
        ] {
            let error = try #require(throws: (any Error).self) { try FlameCommand.parse(arguments) }
            #expect(FlameCommand.message(for: error).hasPrefix(message), "\(arguments)")
        }
    }
}

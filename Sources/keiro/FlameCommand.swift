import Analyzer
import ArgumentParser
import Foundation
import KeiroModel
import Store

/// `keiro flame`: self time as folded stacks (or a terminal flame view) for one trace, for
/// every trace a filter finds, or the difference between two such selections.
struct FlameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flame",
        abstract: "Folded stacks (self time in µs) of one trace, of every matching trace, or the difference of two selections.",
        discussion: """
            Three modes:
              keiro flame TRACE_ID
                one trace
              keiro flame FILTERS...
                every trace the filters find (those of `keiro traces list`) folded
                into one profile: at most --limit traces, taken in --order
              keiro flame [FILTERS...] --baseline SEL --compare SEL [--normalize]
                flamegraph.pl's differential format, `stack countBaseline
                countCompare`: red where the compare side spends more, blue less

            A selection SEL is query parameters as name=value pairs separated by
            commas, e.g. route=/search,flag=canary,since=1h (the filter names
            without --). Filter options outside --baseline/--compare apply to
            both sides; a side's single-valued parameters replace them,
            repeatable ones (header, flag) add to them.

            Frames are `service: span name`, root first. Notes (traces folded,
            whether --limit cut a selection) go to stderr, the profile to stdout.

            Examples:
              keiro flame 4bf92f3577b34da6a3ce929d0e0e4736 | flamegraph.pl > trace.svg
              keiro flame 4bf92f3577b34da6a3ce929d0e0e4736 --format text
              keiro flame --route /search --since 1h | flamegraph.pl > search.svg
              keiro flame --route /search --since 1h --format text --min-share 1
              keiro flame --since 1h --baseline route=/search \\
                  --compare route=/items --normalize | flamegraph.pl > diff.svg
              keiro flame --route /search --since 1h \\
                  --baseline service=search-api-primary \\
                  --compare service=search-api-canary \\
                  --normalize | flamegraph.pl > canary.svg
              keiro flame --route /search \\
                  --baseline start=2025-06-01T10:00:00Z,end=2025-06-01T11:00:00Z \\
                  --compare since=1h | flamegraph.pl > now-vs-then.svg
            """)

    /// How the profile is printed.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        /// `frame;frame count` lines for flamegraph.pl, inferno, speedscope.
        case folded
        /// `FlameText`: the frame tree with shares and bars, for a terminal.
        case text
    }

    @Argument(help: "Trace id: 32 hex digits (16 for a 64-bit Zipkin/B3 id). Leave out to fold every trace the filters find.")
    var traceID: String?

    @OptionGroup(title: "Filters (without a trace id)") var filters: TraceFilterOptions

    @Option(help: "Fold at most this many traces per selection (1–\(TraceQuery.maxLimit)).")
    var limit: Int = 1000

    @Option(help: "Differential mode: the 'before' selection, e.g. route=/search or service=search-api-primary,since=1h.")
    var baseline: String?

    @Option(help: "Differential mode: the 'after' selection, e.g. route=/items or flag=canary.")
    var compare: String?

    @Flag(help: "Differential mode: scale the baseline so both totals match (compare where time goes, not how much).")
    var normalize = false

    @Option(help: "folded (default) or text (a terminal flame view).")
    var format: Format = .folded

    @Option(name: .customLong("min-share"), help: "Text format: leave out frames under this percentage of the total.")
    var minShare: Double = 0

    @OptionGroup var options: TracesCommand.StoreOptions

    func validate() throws {
        let differential = baseline != nil || compare != nil
        if traceID != nil && (!filters.parameters.isEmpty || differential) {
            throw ValidationError("give a trace id, or filters and/or --baseline/--compare, not both")
        }
        if differential && (baseline == nil || compare == nil) {
            throw ValidationError("--baseline and --compare go together")
        }
        if differential && format == .text { throw ValidationError("--format text shows one profile; a differential is folded only") }
        if normalize && !differential { throw ValidationError("--normalize applies to --baseline/--compare") }
        guard (0...100).contains(minShare) else { throw ValidationError("--min-share is a percentage from 0 to 100") }
        // Bad filter values are usage errors, reported before the store is opened.
        for side in [baseline, compare, ""].compactMap(\.self) { _ = try selection(side, now: unixNanosNow()) }
    }

    /// The profile for stdout and the notes for stderr.
    struct Output {
        var profile: String
        var notes: [String] = []
    }

    func run() async throws {
        let output = try await output(options.openStore(), now: unixNanosNow())
        for note in output.notes { FileHandle.standardError.write(Data(("flame: " + note + "\n").utf8)) }
        print(output.profile, terminator: output.profile.hasSuffix("\n") || output.profile.isEmpty ? "" : "\n")
    }

    func output(_ store: SQLiteSpanStore, now: UInt64) async throws -> Output {
        if let traceID {
            let id = try TracesCommand.traceID(traceID)
            guard let tree = try await store.tree(of: id, joiningB3Twin: true) else {
                throw NotFound(message: "trace \(id) is not in \(options.db)")
            }
            var folded = FoldedStacks()
            folded.add(tree)
            return Output(profile: render(folded))
        }
        if let baseline, let compare {
            let before = try await FlameAggregate(selection(baseline, now: now), from: store)
            let after = try await FlameAggregate(selection(compare, now: now), from: store)
            var notes = [before.note("baseline (\(baseline))"), after.note("compare (\(compare))")]
            if !normalize && before.traces != after.traces && before.traces > 0 {
                notes.append("the sides hold different numbers of traces; --normalize compares shares instead of totals")
            }
            return Output(profile: FoldedStacks.differential(before: before.folded, after: after.folded, normalized: normalize), notes: notes)
        }
        let aggregate = try await FlameAggregate(filters.query(adding: [("limit", String(limit))], now: now), from: store)
        guard aggregate.traces > 0 else { throw NotFound(message: "no trace in \(options.db) matches the filters") }
        return Output(profile: render(aggregate.folded), notes: [aggregate.note("")])
    }

    /// The shared filters, then the side's parameters, then the limit.
    private func selection(_ text: String, now: UInt64) throws -> TraceQuery {
        try filters.query(adding: TraceSelection.parameters(text) + [("limit", String(limit))], now: now)
    }

    private func render(_ folded: FoldedStacks) -> String {
        switch format {
        case .folded: folded.text
        case .text: FlameText.render(folded, minimumShare: minShare / 100)
        }
    }
}

extension FlameAggregate {
    /// `<label>: folded N traces`, and that the limit cut the selection.
    func note(_ label: String) -> String {
        (label.isEmpty ? "" : label + ": ") + "folded \(traces) trace\(traces == 1 ? "" : "s")"
            + (capped ? "; more match: only the first \(limit) were folded (raise --limit, at most \(TraceQuery.maxLimit), or narrow the selection)" : "")
    }
}

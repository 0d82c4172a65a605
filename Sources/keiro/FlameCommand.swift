import Analyzer
import ArgumentParser

/// `keiro flame`: flame graph text for a trace.
struct FlameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flame",
        abstract: "Print a trace as folded stacks (self time in µs) for flamegraph.pl, inferno or speedscope.",
        discussion: "Example: keiro flame 4bf92f3577b34da6a3ce929d0e0e4736 --db keiro.db | flamegraph.pl > trace.svg")

    @Argument(help: "Trace id: 32 hex digits (16 for a 64-bit Zipkin/B3 id).")
    var traceID: String

    @OptionGroup var options: TracesCommand.StoreOptions

    func run() async throws {
        var folded = FoldedStacks()
        folded.add(try await options.loadTree(traceID))
        print(folded.text, terminator: "")
    }
}

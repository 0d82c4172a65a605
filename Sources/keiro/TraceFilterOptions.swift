import ArgumentParser
import Foundation
import KeiroModel
import Store

/// The trace filters of `keiro traces list` and `keiro flame`. They are handed to
/// `TraceQuery(parameters:now:)` as the same (name, value) pairs the HTTP API reads from its
/// query string, so both parse, validate and explain a filter the same way; the help texts
/// come from `TraceQuery.parameterHelp`.
struct TraceFilterOptions: ParsableArguments {
    @Option(help: help("service")) var service: String?
    @Option(help: help("operation")) var operation: String?
    @Option(help: help("route")) var route: String?
    @Option(name: .customLong("path-prefix"), help: help("path-prefix")) var pathPrefix: String?
    @Option(help: help("header", valueName: "name=value")) var header: [String] = []
    @Option(help: help("status", valueName: "code")) var status: String?
    @Flag(help: "Only traces with an ERROR span.") var errors = false
    @Option(name: .customLong("min-duration"), help: help("min-duration", valueName: "duration")) var minDuration: String?
    @Option(name: .customLong("max-duration"), help: help("max-duration", valueName: "duration")) var maxDuration: String?
    @Option(name: .customLong("min-span-duration"), help: help("min-span-duration", valueName: "duration")) var minSpanDuration: String?
    @Option(help: help("flag", valueName: "name")) var flag: [String] = []
    @Option(help: help("since", valueName: "duration")) var since: String?
    @Option(help: help("start", valueName: "time")) var start: String?
    @Option(help: help("end", valueName: "time")) var end: String?
    @Option(help: help("order", valueName: "order")) var order: String?

    /// The options given, as `TraceQuery` parameters, in a fixed order.
    var parameters: [(name: String, value: String)] {
        let single: [(String, String?)] = [
            ("service", service), ("operation", operation), ("route", route), ("path-prefix", pathPrefix), ("status", status),
            ("errors", errors ? "true" : nil), ("min-duration", minDuration), ("max-duration", maxDuration),
            ("min-span-duration", minSpanDuration), ("since", since), ("start", start), ("end", end), ("order", order),
        ]
        return single.compactMap { name, value in value.map { (name, $0) } }
            + header.map { ("header", $0) } + flag.map { ("flag", $0) }
    }

    /// The query for these filters plus `extra` parameters (applied after them, so a
    /// single-valued one replaces the option's value); `now` (unix ns) anchors `--since`.
    /// A parameter `TraceQuery` rejects is a usage error naming the option.
    func query(adding extra: [(name: String, value: String)] = [], now: UInt64) throws -> TraceQuery {
        do {
            return try TraceQuery(parameters: parameters + extra, now: now)
        } catch {
            throw ValidationError("--\(error.parameter): \(error.reason)")
        }
    }

    /// `a span has …` → `A span has ….`; a leading `name=value` stays as written.
    private static func sentence(_ text: String) -> String {
        (text.prefix { $0 != " " }.contains("=") ? text : text.prefix(1).uppercased() + text.dropFirst()) + "."
    }

    private static func help(_ name: String, valueName: String? = nil) -> ArgumentHelp {
        ArgumentHelp(
            TraceQuery.parameterHelp.first { $0.name == name }.map(\.help).map(sentence) ?? "",
            valueName: valueName)
    }
}

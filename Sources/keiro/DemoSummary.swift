import Foundation
import KeiroModel
import Store

/// What a user wants to see first after the demo: requests per hop, route and destination,
/// the retries and timeouts that fired, and where to look next.
struct DemoSummary {
    let store: SQLiteSpanStore

    func render(db: String) async throws -> String {
        let traces = try await store.findTraces(TraceQuery(limit: 100_000))
        var routed: [String: Int] = [:]
        var retried: [String: Int] = [:]
        var timeouts: [String: Int] = [:]
        var flags: [String: Int] = [:]
        var example: [String: String] = [:]
        for summary in traces {
            for stored in try await store.trace(summary.traceID) {
                let span = stored.span
                let attributes = span.attributes
                let route = attributes[KeiroAttributes.routeName]?.displayString ?? "(unnamed route)"
                if span.kind == .client, attributes[KeiroAttributes.destinationHost] != nil {
                    let destination = [attributes[KeiroAttributes.destinationHost], attributes[KeiroAttributes.destinationSubset]]
                        .compactMap { $0?.displayString }.joined(separator: "/")
                    routed["\(stored.serviceName)  \(route) → \(destination)", default: 0] += 1
                    // The try that failed carries why the next one was sent.
                    if let reason = attributes[KeiroAttributes.retryReason]?.displayString {
                        retried["\(stored.serviceName)  \(route)  because \(reason)", default: 0] += 1
                        example["retry"] = example["retry"] ?? summary.traceID.hexString
                    }
                }
                if let kind = attributes[KeiroAttributes.timeout]?.displayString {
                    timeouts["\(stored.serviceName)  \(route)  \(kind)", default: 0] += 1
                    example["timeout"] = example["timeout"] ?? summary.traceID.hexString
                }
                if span.kind == .server, let value = attributes[KeiroAttributes.responseFlags]?.displayString {
                    flags["\(stored.serviceName)  \(value)", default: 0] += 1
                }
            }
        }
        func table(_ title: String, _ counts: [String: Int]) -> String {
            "\n\(title)\n" + (counts.isEmpty ? "  (none)\n" : counts.sorted { $0.key < $1.key }.map { "  \(String($0.value).padding(toLength: 6, withPad: " ", startingAt: 0)) \($0.key)" }.joined(separator: "\n") + "\n")
        }
        var text = "\n\(traces.count) traces stored in \(db)\n"
        text += table("upstream attempts per hop, route and destination:", routed)
        text += table("retries (resends) that fired:", retried)
        text += table("timeouts that fired:", timeouts)
        text += table("Envoy response flags on inbound requests:", flags)
        text += "\nwhere to look next:\n"
        text += "  keiro traces list --db \(db) --service edge --limit 10\n"
        text += "  keiro traces list --db \(db) --flag retried    # or timeout, canary, header-route, error\n"
        for (kind, id) in example.sorted(by: { $0.key < $1.key }) {
            text += "  keiro traces show \(id) --db \(db)    # a trace with a \(kind)\n"
        }
        text += "  keiro flame <trace-id> --db \(db) | flamegraph.pl > trace.svg\n"
        text += "  keiro flame --db \(db) --route /search --format text    # every /search trace folded into one profile\n"
        return text
    }
}

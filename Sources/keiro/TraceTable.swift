import Foundation
import KeiroModel
import Store
import TraceJSON

/// Terminal renderings of stored spans and trace summaries.
enum TraceTable {
    static func render(_ spans: [StoredSpan]) -> String {
        let start = spans.map(\.span.startTimeUnixNano).min() ?? 0
        let rows = spans.map { stored -> [String] in
            let span = stored.span
            return [
                "+" + milliseconds(span.startTimeUnixNano - start), milliseconds(span.durationNanos), stored.serviceName,
                "\(span.kind)".uppercased(), span.name, span.spanID.hexString, span.parentSpanID?.hexString ?? "-",
                span.status.code == .error ? "ERROR" + (span.status.message.isEmpty ? "" : ": " + span.status.message) : "\(span.status.code)".uppercased(),
            ]
        }
        return "trace \(spans.first?.span.traceID.hexString ?? "")  \(spans.count) spans\n"
            + table(header: ["OFFSET", "DURATION", "SERVICE", "KIND", "NAME", "SPAN", "PARENT", "STATUS"], rows: rows)
    }

    /// One line per trace: start, id, root span (service: name, then its route when the name
    /// does not show it), duration, span and error counts, and the flags recorded at ingest.
    static func render(_ traces: [TraceSummary]) -> String {
        let rows = traces.map { trace in
            [
                RFC3339.timestamp(unixNanos: trace.startTimeUnixNano), trace.traceID.hexString, rootLabel(trace), milliseconds(trace.durationNanos),
                String(trace.spanCount), String(trace.errorCount), trace.flags.isEmpty ? "-" : trace.flags.flagNames.joined(separator: ","),
            ]
        }
        return table(header: ["START", "TRACE", "ROOT", "DURATION", "SPANS", "ERRORS", "FLAGS"], rows: rows)
    }

    /// `edge: GET /search`, `bff: GET /aggregate/{id} (/aggregate/42)`, `(root missing)` when the
    /// parentless span has not arrived.
    static func rootLabel(_ trace: TraceSummary) -> String {
        var label = "\(trace.rootService): \(trace.rootName)"
        if let route = trace.rootRoute, !trace.rootName.hasSuffix(route) { label += " (\(route))" }
        return label + (trace.hasRoot ? "" : " (root missing)")
    }

    static func milliseconds(_ nanos: UInt64) -> String {
        String(format: "%.3fms", Double(nanos) / 1e6)
    }

    private static func table(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

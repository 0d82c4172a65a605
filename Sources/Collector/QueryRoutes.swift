import Analyzer
import Foundation
import Hummingbird
import KeiroModel
import Store
import TraceJSON

/// The collector's read-only JSON API (`schemas/openapi.yaml`): trace search, one trace with
/// its tree and flags, folded stacks, service names. Every read goes through the store's
/// reader pool (WAL), so the writer never waits for a query.
struct QueryRoutes: Sendable {
    let store: SQLiteSpanStore

    /// The most traces `GET /api/flame` folds together, and its default `limit`.
    static let flameTraceLimit = 1_000

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/traces") { request, _ in await APIResponse.answer { try await search(request) } }
        router.get("/api/traces/{traceID}") { _, context in await APIResponse.answer { try await trace(context) } }
        router.get("/api/traces/{traceID}/flame") { _, context in await APIResponse.answer { try await traceFlame(context) } }
        router.get("/api/flame") { request, _ in await APIResponse.answer { try await aggregateFlame(request) } }
        router.get("/api/services") { _, _ in
            await APIResponse.answer { try APIResponse.json(ServiceList(services: try await store.serviceNames())) }
        }
    }

    /// `GET /api/traces?…`: summaries of the traces matching the `TraceQuery` parameters.
    func search(_ request: Request) async throws -> Response {
        let query = try TraceQuery(parameters: Self.parameters(request), now: unixNanosNow())
        return try APIResponse.json(TraceList(traces: try await store.findTraces(query).map(TraceSummaryJSON.init)))
    }

    /// `GET /api/traces/{traceID}`: summary, spans, tree, flags and findings.
    func trace(_ context: BasicRequestContext) async throws -> Response {
        let (spans, tree) = try await load(context)
        guard let summary = try await store.traceSummary(tree.traceID) else { throw APIError.traceNotFound(tree.traceID) }
        return try APIResponse.json(TraceDocumentJSON(summary: summary, spans: spans, view: TraceView(tree: tree, summary: summary)))
    }

    /// `GET /api/traces/{traceID}/flame`: the trace's folded stacks (self time in µs).
    func traceFlame(_ context: BasicRequestContext) async throws -> Response {
        var folded = FoldedStacks()
        folded.add(try await load(context).tree)
        return APIResponse.text(folded.text)
    }

    /// `GET /api/flame?…`: folded stacks summed over the matching traces (at most
    /// `flameTraceLimit`, the default).
    func aggregateFlame(_ request: Request) async throws -> Response {
        let parameters = Self.parameters(request)
        var query = try TraceQuery(parameters: parameters, now: unixNanosNow())
        if !parameters.contains(where: { $0.name == "limit" }) {
            query.limit = Self.flameTraceLimit
        } else if query.limit > Self.flameTraceLimit {
            throw APIError(status: .badRequest, message: "at most \(Self.flameTraceLimit) traces are folded into one flame graph", parameter: "limit")
        }
        return APIResponse.text(try await FlameAggregate(query, from: store).folded.text)
    }

    /// The spans under the path's trace id (and its low 64 bits) and their tree.
    private func load(_ context: BasicRequestContext) async throws -> (spans: [StoredSpan], tree: TraceTree) {
        let raw = context.parameters.get("traceID") ?? ""
        guard let id = TraceID(hex: raw) else {
            throw APIError(status: .badRequest, message: "'\(raw)' is not a trace id (32 or 16 hex digits)", parameter: "traceID")
        }
        let spans = try await store.traceWith64BitPart(id)
        guard !spans.isEmpty else { throw APIError.traceNotFound(id) }
        return (spans, TraceTree(stored: spans, traceID: id))
    }

    /// The query items in order, repeated names kept.
    static func parameters(_ request: Request) -> [(name: String, value: String)] {
        request.uri.queryParameters.map { item in
            (name: String(item.key).removingPercentEncoding ?? String(item.key), value: String(item.value))
        }
    }

    struct TraceList: Encodable {
        var traces: [TraceSummaryJSON]
    }

    struct ServiceList: Encodable {
        var services: [String]
    }
}

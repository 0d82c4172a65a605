import KeiroModel

/// Joins a B3 64-bit trace id with a 128-bit one when they are the same request.
///
/// Envoy and older Zipkin tracers use 64-bit trace ids; a hop that upgrades to 128 bits (or
/// truncates to 64) splits one request into two ids that share their low 64 bits. A store
/// looked up by the low 64 bits returns both, and also any unrelated 128-bit trace whose
/// low half collides. Two ids are joined only when
/// - one is 64-bit (high half zero) and the other 128-bit with the same low 64 bits, and
/// - a parent link crosses between them: a span of one names as parent a span id stored
///   in the other.
/// At most one 128-bit id takes part (two 128-bit ids are two traces, whatever links a
/// 64-bit span might suggest). Spans of ids that are not joined are dropped, with a warning.
public struct TraceIDJoin: Sendable {
    /// The spans of the joined ids.
    public private(set) var spans: [AnalyzedSpan] = []
    /// The id shown for the tree: the requested one, or the only id found when the
    /// requested one has no spans.
    public private(set) var traceID: TraceID
    /// Ids joined besides `traceID`.
    public private(set) var joinedTraceIDs: [TraceID] = []
    /// What was joined or left out, and why.
    public private(set) var warnings: [String] = []

    public init(_ spans: [AnalyzedSpan], requested: TraceID) {
        var groups: [TraceID: [AnalyzedSpan]] = [:]
        var order: [TraceID] = []
        for input in spans {
            let id = input.span.traceID
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append(input)
        }
        traceID = requested
        if groups[requested] == nil, order.count == 1, order[0].low == requested.low {
            traceID = order[0]
            warnings.append("no span of trace \(requested) is stored; showing trace \(order[0]), which shares its low 64 bits")
        }
        guard let first = groups[traceID] else {
            for id in order { warnings.append(Self.notJoined(id, traceID)) }
            return
        }
        var included = [traceID]
        var spanIDs = Set(first.map(\.span.spanID))
        var parentIDs = Set(first.compactMap(\.span.parentSpanID))
        var pending = order.filter { $0 != traceID }
        var progress = true
        while progress {
            progress = false
            for id in pending where id.low == traceID.low && Self.canJoin(id, to: included) {
                let group = groups[id]!
                let proof =
                    group.first { $0.span.parentSpanID.map(spanIDs.contains) ?? false }
                    .map { "span \($0.span.spanID)'s parent \($0.span.parentSpanID!) is in the joined trace" }
                    ?? group.first { parentIDs.contains($0.span.spanID) }.map { "span \($0.span.spanID) is the parent of a span in the joined trace" }
                guard let proof else { continue }
                included.append(id)
                joinedTraceIDs.append(id)
                spanIDs.formUnion(group.map(\.span.spanID))
                parentIDs.formUnion(group.compactMap(\.span.parentSpanID))
                warnings.append("joined trace \(id) (\(id.high == 0 ? "B3 64-bit" : "128-bit") id): \(proof)")
                pending.removeAll { $0 == id }
                progress = true
                break
            }
        }
        for id in pending { warnings.append(Self.notJoined(id, traceID)) }
        self.spans = included.flatMap { groups[$0]! }
    }

    /// A 64-bit id joins a set holding a 128-bit id and vice versa; never two 128-bit ids.
    private static func canJoin(_ id: TraceID, to included: [TraceID]) -> Bool {
        let has128 = included.contains { $0.high != 0 }
        return id.high == 0 ? has128 : !has128
    }

    private static func notJoined(_ id: TraceID, _ shown: TraceID) -> String {
        id.low == shown.low
            ? "trace \(id) shares the low 64 bits of \(shown) but no parent link proves it is the same request; not joined"
            : "spans of trace \(id) are not part of \(shown); left out"
    }
}

import KeiroModel

/// The home segments of the traces the writer stored recently, so that a trace whose
/// spans keep arriving (each service exports its part of a request seconds apart) needs
/// no `trace_homes` lookup per write group. Homes never change once recorded; only
/// committed ones are added. Two generations bound the memory: when the newer one holds
/// `generationSize` traces it becomes the older one and the previous older one is dropped.
struct RecentTraceHomes: Sendable {
    static let generationSize = 131_072

    private var newer: [TraceID: Int64] = [:]
    private var older: [TraceID: Int64] = [:]

    subscript(traceID: TraceID) -> Int64? { newer[traceID] ?? older[traceID] }

    /// Forgets the homes in segments up to `segment` (retention dropped them).
    mutating func forget(segmentsThrough segment: Int64) {
        newer = newer.filter { $0.value > segment }
        older = older.filter { $0.value > segment }
    }

    mutating func add(_ homes: [(traceID: TraceID, segment: Int64)]) {
        for (traceID, segment) in homes {
            if newer.count >= Self.generationSize {
                older = newer
                newer = [:]
            }
            newer[traceID] = segment
        }
    }
}

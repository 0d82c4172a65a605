import Analyzer
import KeiroModel

/// A span batch made ready for the writer by the task that submits it, so that encoding,
/// compression and the per-trace analysis run in parallel across requests and the single
/// writer only does SQLite work (`ChunkInserter`, then `TraceIndexer`).
///
/// Per resource and scope: the resource body, the batch's trace parts (encoded, with
/// their digest and what the search index needs of them) and those parts packed into
/// compressed chunks, assuming every part is new; a part the writer finds already stored
/// makes it repack that one chunk.
struct PreparedBatch: Sendable {
    /// The spans of one trace under one resource and scope.
    struct Part: Sendable {
        var encoded: EncodedPart
        var digest: Int64
        var facts: PartFacts
    }

    struct Scope: Sendable {
        var serviceName: String
        var resourceBody: [UInt8]
        var parts: [Part]
        /// The index keys the parts' values name.
        var keys: [String]
        var chunks: [PackedChunk]
    }

    var scopes: [Scope] = []
    private(set) var spanCount = 0

    init(_ batch: SpanBatch, indexed: IndexedAttributes) throws {
        for resourceSpans in batch.resourceSpans {
            let serviceName = resourceSpans.resource.serviceName
            for scopeSpans in resourceSpans.scopeSpans where !scopeSpans.spans.isEmpty {
                var parts: [Part] = []
                var keys = IndexKeyTable()
                for (traceID, spans) in TraceParts.group(scopeSpans.spans) {
                    let encoded = ChunkCodec.encodePart(traceID: traceID, spans: spans)
                    let facts = PartFacts(spans, serviceName: serviceName, indexed: indexed, keys: &keys)
                    parts.append(Part(encoded: encoded, digest: encoded.digest, facts: facts))
                }
                spanCount += scopeSpans.spans.count
                scopes.append(
                    Scope(
                        serviceName: serviceName,
                        resourceBody: SpanBodyCodec.encodeResource(resourceSpans.resource, scope: scopeSpans.scope),
                        parts: parts, keys: keys.keys, chunks: try ChunkWriter.pack(parts.map(\.encoded))))
            }
        }
    }
}

/// What the trace summary and the search index take from one part (the spans of one
/// trace reported by one service): its aggregate, recorded flags and distinct indexed values.
/// A class: the writer hands it on to the indexer by reference, not as ~120 bytes copied
/// into every pending part (fresh memory the indexer frees a run later).
final class PartFacts: Sendable {
    /// The summary the part adds; `root.serviceID` is set by the indexer.
    let aggregate: TraceAggregate
    let flags: TraceFlags
    /// Distinct (index key, value) pairs, the service name and flag names included; keys
    /// index the `IndexKeyTable` they were made with.
    let values: [IndexValue]

    init(_ spans: some Collection<Span>, serviceName: String, indexed: IndexedAttributes, keys: inout IndexKeyTable) {
        var values = IndexValues()
        values.insert(key: keys.index(of: SemanticAttributes.serviceName), value: serviceName)
        var flags: TraceFlags = []
        for span in spans {
            indexed.forEachEntry(of: span) { key, value in values.insert(key: keys.index(of: key), value: value) }
            flags.formUnion(TraceFlags.recorded(by: span))
        }
        if !flags.isEmpty {
            let flagKey = keys.index(of: SearchKeys.flag)
            for name in flags.searchNames { values.insert(key: flagKey, value: name) }
        }
        self.aggregate = TraceAggregate(spans: spans, serviceID: 0)
        self.flags = flags
        self.values = values.values
    }
}

/// An indexed key and value of a trace, before the key is interned: the key is an index
/// into an `IndexKeyTable`'s keys.
struct IndexValue: Sendable {
    var key: Int
    var value: String
}

/// The distinct index keys of one scope's values, in the order they first came. A batch
/// names a dozen keys or so, so a linear search beats hashing each key string.
struct IndexKeyTable: Sendable {
    private(set) var keys: [String] = []

    mutating func index(of key: String) -> Int {
        if let index = keys.firstIndex(of: key) { return index }
        keys.append(key)
        return keys.count - 1
    }
}

/// A part's distinct indexed values. A part is the spans of one trace from one process —
/// one or a few — whose values are a dozen or two, many repeated (a server span and its
/// client attempts share route, path and headers): a linear search on the key index and
/// the value beats hashing every value string.
struct IndexValues {
    private(set) var values: [IndexValue] = []

    mutating func insert(key: Int, value: String) {
        if values.contains(where: { $0.key == key && $0.value == value }) { return }
        values.append(IndexValue(key: key, value: value))
    }
}

/// Splits a scope's spans by trace, keeping the order in which traces first appear. The
/// parts select the spans by position rather than copy them (copying a span retains every
/// string and array it holds: ~0.2 µs per span in the ingest profile).
enum TraceParts {
    static func group(_ spans: [Span]) -> [(TraceID, SpanSelection)] {
        var order: [TraceID] = []
        var byTrace: [TraceID: [Int]] = [:]
        for position in spans.indices {
            let traceID = spans[position].traceID
            if byTrace[traceID] == nil { order.append(traceID) }
            byTrace[traceID, default: []].append(position)
        }
        return order.map { ($0, SpanSelection(spans: spans, positions: byTrace[$0]!)) }
    }
}

/// Some of an array's spans, by position.
struct SpanSelection: RandomAccessCollection {
    let spans: [Span]
    let positions: [Int]

    var startIndex: Int { 0 }
    var endIndex: Int { positions.count }
    subscript(index: Int) -> Span { spans[positions[index]] }
}

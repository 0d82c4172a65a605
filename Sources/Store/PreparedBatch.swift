import Analyzer
import KeiroModel

/// A span batch made ready for the writer by the task that submits it, so that encoding,
/// compression and the per-trace folding run in parallel across requests and the single
/// writer only does SQLite work (`BatchInserter`).
///
/// Per resource and scope: the resource body, the batch's trace parts (encoded, with
/// their digest, summary aggregate, recorded flags and distinct indexed values) and those
/// parts packed into compressed chunks, assuming every part is new; a part the writer
/// finds already stored makes it repack that one chunk.
struct PreparedBatch: Sendable {
    /// The spans of one trace under one resource and scope.
    struct Part: Sendable {
        var encoded: EncodedPart
        var digest: Int64
        /// The summary the part adds; `root.serviceID` is set by the writer.
        var aggregate: TraceAggregate
        var flags: TraceFlags
        /// Distinct (index key, value) pairs, the service name and flag names included.
        var values: [IndexValue]
    }

    struct Scope: Sendable {
        var serviceName: String
        var resourceBody: [UInt8]
        var parts: [Part]
        var chunks: [PackedChunk]
    }

    var scopes: [Scope] = []
    private(set) var spanCount = 0

    init(_ batch: SpanBatch, indexed: IndexedAttributes) throws {
        for resourceSpans in batch.resourceSpans {
            let serviceName = resourceSpans.resource.serviceName
            for scopeSpans in resourceSpans.scopeSpans where !scopeSpans.spans.isEmpty {
                var parts: [Part] = []
                for (traceID, spans) in TraceParts.group(scopeSpans.spans) {
                    parts.append(Self.part(traceID, spans, serviceName: serviceName, indexed: indexed))
                }
                spanCount += scopeSpans.spans.count
                scopes.append(
                    Scope(
                        serviceName: serviceName,
                        resourceBody: SpanBodyCodec.encodeResource(resourceSpans.resource, scope: scopeSpans.scope),
                        parts: parts, chunks: try ChunkWriter.pack(parts.map(\.encoded))))
            }
        }
    }

    private static func part(_ traceID: TraceID, _ spans: [Span], serviceName: String, indexed: IndexedAttributes) -> Part {
        let encoded = ChunkCodec.encodePart(traceID: traceID, spans: spans)
        var values: Set<IndexValue> = [IndexValue(key: SemanticAttributes.serviceName, value: serviceName)]
        var flags: TraceFlags = []
        for span in spans {
            indexed.forEachEntry(of: span) { key, value in values.insert(IndexValue(key: key, value: value)) }
            flags.formUnion(TraceFlags.recorded(by: span))
        }
        for name in flags.searchNames { values.insert(IndexValue(key: SearchKeys.flag, value: name)) }
        return Part(
            encoded: encoded, digest: encoded.digest, aggregate: TraceAggregate(spans: spans, serviceID: 0), flags: flags,
            values: Array(values))
    }
}

/// An indexed key and value of a trace, before the key is interned.
struct IndexValue: Hashable, Sendable {
    var key: String
    var value: String
}

/// Splits a scope's spans by trace, keeping the order in which traces first appear.
enum TraceParts {
    static func group(_ spans: [Span]) -> [(TraceID, [Span])] {
        var order: [TraceID] = []
        var byTrace: [TraceID: [Span]] = [:]
        for span in spans {
            if byTrace[span.traceID] == nil { order.append(span.traceID) }
            byTrace[span.traceID, default: []].append(span)
        }
        return order.map { ($0, byTrace[$0]!) }
    }
}

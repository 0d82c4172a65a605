import KeiroModel
import OTLPWire
import Store
import TestSupport

/// Every span stored, over all traces (at most 10,000 traces).
func storedSpanCount(_ store: SQLiteSpanStore) async throws -> Int {
    try await store.findTraces(TraceQuery(limit: 10_000)).reduce(0) { $0 + $1.spanCount }
}

let protobufHeaders = ["content-type": "application/x-protobuf"]
let gzipProtobufHeaders = ["content-type": "application/x-protobuf", "content-encoding": "gzip"]

/// A serialized OTLP export request for a batch.
func otlpBytes(_ batch: SpanBatch) throws -> [UInt8] {
    try batch.otlpRequest.serializedBytes()
}

/// A batch with `count` valid server spans of one trace.
func simpleBatch(trace: UInt64, count: Int, service: String = "gateway", firstSpan: UInt64 = 0) -> SpanBatch {
    let traceID = SpanFixtures.traceID(trace)
    return SpanFixtures.batch(
        service: service,
        spans: (0..<count).map { index in
            SpanFixtures.httpServerSpan(
                trace: traceID, id: SpanFixtures.spanID(firstSpan + UInt64(index)), parent: nil,
                start: 1_700_000_000_000_000_000 + UInt64(index), durationNanos: 1_000)
        })
}

import Deflate
import KeiroModel
import NIOCore
import OTLPWire

/// Makes export request bodies — an `ExportTraceServiceRequest` under the exporter's
/// resource and scope, gzip-compressed unless the configuration says `none` — reusing its
/// memory from batch to batch: the request bytes' array is allocated once, and
/// ``Deflate`` pools its working memory (fresh large buffers per batch cost page faults).
struct ExportBodyEncoder {
    let resource: Resource
    let scope: InstrumentationScope
    let compression: ExportCompression
    private var request: [UInt8] = []

    init(resource: Resource, scope: InstrumentationScope, compression: ExportCompression) {
        self.resource = resource
        self.scope = scope
        self.compression = compression
    }

    /// The body for the spans in `spansFields` (``ExportQueue/take(upTo:into:)``).
    mutating func body(spansFields: [UInt8]) -> ByteBuffer {
        EncodedSpan.writeOTLPRequest(resource: resource, scope: scope, spansFields: spansFields, into: &request)
        guard compression == .gzip else { return ByteBuffer(bytes: request) }
        return ByteBuffer(bytes: Deflate.compress(request, format: .gzip))
    }
}

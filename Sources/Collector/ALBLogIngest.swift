import CompressNIO
import Foundation
import KeiroModel
import NIOCore
import Store

/// Reads ALB access log files (plain or gzip, as ALB writes them every 5 minutes) and
/// stores one edge span per line, so the ALB hop is in the trace even for a real AWS ALB
/// whose logs a user downloads. Re-reading a file stores nothing new.
public struct ALBLogIngest: Sendable {
    /// What one file contributed.
    public struct FileResult: Sendable {
        public var path: String
        public var lines: Int
        public var outcome: WriteOutcome
        /// Lines that could not be read, with their line numbers.
        public var malformed: [(line: Int, reason: String)]
    }

    /// Largest decompressed file accepted (ALB files are far smaller). Default 1 GiB.
    public var maxFileBytes: Int

    public init(maxFileBytes: Int = 1 << 30) {
        self.maxFileBytes = maxFileBytes
    }

    /// Parses `text` (whole lines) into batches of edge spans, one resource per load balancer.
    public func batch(fromLog text: String) -> (batch: SpanBatch, lines: Int, malformed: [(line: Int, reason: String)]) {
        var spansByService: [String: [Span]] = [:]
        var order: [String] = []
        var malformed: [(line: Int, reason: String)] = []
        var lines = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            lines += 1
            do {
                let (span, service) = try ALBAccessLogLine(line).span()
                if spansByService[service] == nil { order.append(service) }
                spansByService[service, default: []].append(span)
            } catch {
                malformed.append((index + 1, error.reason))
            }
        }
        let batch = SpanBatch(
            order.map { service in
                ResourceSpans(
                    resource: Resource(attributes: [
                        Attribute(SemanticAttributes.serviceName, .string(service)), Attribute("cloud.provider", .string("aws")),
                        Attribute("cloud.platform", .string("aws_elb")),
                    ]),
                    scopeSpans: [ScopeSpans(scope: InstrumentationScope(name: "keiro.alb-access-log"), spans: spansByService[service]!)])
            })
        return (batch, lines, malformed)
    }

    /// Reads one file (gzip when it starts with the gzip magic bytes) into the store.
    public func ingest(file path: String, into store: some SpanStore) async throws -> FileResult {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var text: String
        if data.starts(with: [0x1f, 0x8b]) {
            var buffer = ByteBuffer(bytes: data)
            let inflated = try buffer.decompress(with: .gzip(), maxSize: maxFileBytes)
            text = String(decoding: inflated.readableBytesView, as: UTF8.self)
        } else {
            text = String(decoding: data, as: UTF8.self)
        }
        let (batch, lines, malformed) = batch(fromLog: text)
        text = ""
        let outcome = try await store.write(batch)
        return FileResult(path: path, lines: lines, outcome: outcome, malformed: malformed)
    }
}

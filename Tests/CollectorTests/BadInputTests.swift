import Foundation
import OTLPWire
import TestSupport
import Testing

/// Every refused request gets the status the OTLP/HTTP spec gives, a readable message, and
/// stores nothing.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var path = "/v1/traces"
        var headers: [String: String]
        var body: @Sendable () throws -> [UInt8]
        var status: Int
        var message: String
    }

    static let cases: [Case] = [
        Case(description: "undecodable protobuf", headers: protobufHeaders, body: { [0xff, 0xff, 0xff, 0x0a] },
             status: 400, message: "invalid OTLP protobuf body"),
        Case(description: "undecodable JSON", headers: ["content-type": "application/json"], body: { Array(#"{"resourceSpans":["#.utf8) },
             status: 400, message: "invalid OTLP/JSON body"),
        Case(description: "JSON of the wrong shape", headers: ["content-type": "application/json"],
             body: { Array(#"{"resourceSpans":{"not":"a list"}}"#.utf8) }, status: 400, message: "resourceSpans"),
        Case(description: "corrupt gzip", headers: gzipProtobufHeaders, body: { [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7] },
             status: 400, message: "not valid gzip"),
        Case(description: "gzip bomb", headers: gzipProtobufHeaders, body: { try gzip([UInt8](repeating: 0, count: 8 << 20)) },
             status: 413, message: "decompressed body exceeds the limit of 1048576 bytes"),
        Case(description: "body over the request limit", headers: protobufHeaders, body: { [UInt8](repeating: 0x0a, count: 3 << 20) },
             status: 413, message: "exceeds the limit of 2097152 bytes"),
        Case(description: "unknown content type", headers: ["content-type": "text/plain"], body: { Array("hello".utf8) },
             status: 415, message: "Content-Type 'text/plain' is not supported"),
        Case(description: "unknown content encoding", headers: ["content-type": "application/x-protobuf", "content-encoding": "br"],
             body: { [0x0a, 0x00] }, status: 415, message: "Content-Encoding 'br' is not supported"),
        Case(description: "zipkin: undecodable JSON", path: "/api/v2/spans", headers: ["content-type": "application/json"],
             body: { Array("[{".utf8) }, status: 400, message: "invalid Zipkin v2 JSON body"),
        Case(description: "zipkin: thrift content type", path: "/api/v2/spans", headers: ["content-type": "application/x-thrift"],
             body: { [1, 2, 3] }, status: 415, message: "not supported"),
        Case(description: "zipkin: every span invalid", path: "/api/v2/spans", headers: ["content-type": "application/json"],
             body: { Array(#"[{"traceId":"xyz","id":"0000000000000001","timestamp":1}]"#.utf8) }, status: 400, message: "invalid_trace_id=1"),
    ]

    @Test(arguments: cases)
    func isRefusedWithTheRightStatusAndNothingIsWritten(_ bad: Case) async throws {
        try await withRunningCollector(configure: { $0.maxRequestBytes = 2 << 20; $0.maxDecompressedBytes = 1 << 20 }) { collector throws in
            let reply = try await collector.post(bad.path, body: try bad.body(), headers: bad.headers)
            #expect(reply.status == bad.status)
            let message: String
            if reply.headers["content-type"] == "application/x-protobuf" {
                message = try RPCStatus(serializedBytes: reply.body).message
            } else {
                message = reply.text
            }
            #expect(message.contains(bad.message), "body: \(message)")
            #expect(try await storedSpanCount(collector.store) == 0)
            // The collector is still healthy and accepts a good batch afterwards.
            let good = try await collector.post("/v1/traces", body: try otlpBytes(simpleBatch(trace: 1, count: 1)), headers: protobufHeaders)
            #expect(good.status == 200)
        }
    }

    @Test func errorBodiesAreGoogleRPCStatusInTheRequestEncoding() async throws {
        try await withRunningCollector { collector throws in
            let reply = try await collector.post("/v1/traces", body: [0xff, 0xff], headers: protobufHeaders)
            #expect(reply.status == 400)
            #expect(reply.headers["content-type"] == "application/x-protobuf")
            #expect(try RPCStatus(serializedBytes: reply.body).code == 3)
            let json = try await collector.post("/v1/traces", body: Array("nope".utf8), headers: ["content-type": "application/json"])
            #expect(json.status == 400)
            let object = try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any]
            #expect(object?["code"] as? Int == 3)
        }
    }
}

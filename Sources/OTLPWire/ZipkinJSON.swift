import Foundation

/// Zipkin v2 JSON (`zipkin2-api.yaml`): a list of spans with microsecond times.
enum ZipkinJSON {
    struct Span: Decodable {
        var traceId: String?
        var id: String?
        var parentId: String?
        var name: String?
        var kind: String?
        var timestamp: UInt64?
        var duration: UInt64?
        var localEndpoint: Endpoint?
        var remoteEndpoint: Endpoint?
        var annotations: [Annotation]?
        var tags: [String: String]?
        var debug: Bool?
        var shared: Bool?
    }

    struct Endpoint: Decodable {
        var serviceName: String?
        var ipv4: String?
        var ipv6: String?
        var port: Int?
    }

    struct Annotation: Decodable {
        var timestamp: UInt64?
        var value: String?
    }
}

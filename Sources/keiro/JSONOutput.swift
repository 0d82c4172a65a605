import Foundation
import KeiroModel
import Store

/// JSON renderings for `--json`: OTLP/JSON-like spellings (hex ids, nanosecond times),
/// attributes as typed JSON values keyed by name.
enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

struct SpanJSON: Encodable {
    var traceId: String
    var spanId: String
    var parentSpanId: String?
    var service: String
    var name: String
    var kind: String
    var startTimeUnixNano: UInt64
    var endTimeUnixNano: UInt64
    var durationNanos: UInt64
    var status: StatusJSON
    var attributes: [String: AttributeJSON]
    var droppedAttributesCount: UInt32
    var events: [EventJSON]
    var links: [LinkJSON]
    var traceState: String?
    var flags: UInt32
    var resource: [String: AttributeJSON]
    var scope: ScopeJSON

    struct StatusJSON: Encodable {
        var code: String
        var message: String?
    }

    struct EventJSON: Encodable {
        var timeUnixNano: UInt64
        var name: String
        var attributes: [String: AttributeJSON]
    }

    struct LinkJSON: Encodable {
        var traceId: String
        var spanId: String
        var attributes: [String: AttributeJSON]
    }

    struct ScopeJSON: Encodable {
        var name: String
        var version: String
    }

    init(_ stored: StoredSpan) {
        let span = stored.span
        traceId = span.traceID.hexString
        spanId = span.spanID.hexString
        parentSpanId = span.parentSpanID?.hexString
        service = stored.serviceName
        name = span.name
        kind = "\(span.kind)".uppercased()
        startTimeUnixNano = span.startTimeUnixNano
        endTimeUnixNano = span.endTimeUnixNano
        durationNanos = span.durationNanos
        status = StatusJSON(code: "\(span.status.code)".uppercased(), message: span.status.message.isEmpty ? nil : span.status.message)
        attributes = AttributeJSON.object(span.attributes)
        droppedAttributesCount = span.droppedAttributesCount
        events = span.events.map { EventJSON(timeUnixNano: $0.timeUnixNano, name: $0.name, attributes: AttributeJSON.object($0.attributes)) }
        links = span.links.map { LinkJSON(traceId: $0.traceID.hexString, spanId: $0.spanID.hexString, attributes: AttributeJSON.object($0.attributes)) }
        traceState = span.traceState.isEmpty ? nil : span.traceState
        flags = span.flags
        resource = AttributeJSON.object(stored.resource.attributes)
        scope = ScopeJSON(name: stored.scope.name, version: stored.scope.version)
    }
}

struct TraceSummaryJSON: Encodable {
    var traceId: String
    var startTimeUnixNano: UInt64
    var durationNanos: UInt64
    var spanCount: Int
    var errorCount: Int
    var rootSpanId: String
    var hasRoot: Bool
    var rootService: String
    var rootName: String
    var rootRoute: String?
    /// The flags recorded at ingest (`TraceFlags.flagNames`).
    var flags: [String]

    init(_ summary: TraceSummary) {
        traceId = summary.traceID.hexString
        startTimeUnixNano = summary.startTimeUnixNano
        durationNanos = summary.durationNanos
        spanCount = summary.spanCount
        errorCount = summary.errorCount
        rootSpanId = summary.rootSpanID.hexString
        hasRoot = summary.hasRoot
        rootService = summary.rootService
        rootName = summary.rootName
        rootRoute = summary.rootRoute
        flags = summary.flags.flagNames
    }
}

/// An attribute value as plain JSON (bytes as base64).
enum AttributeJSON: Encodable {
    case value(AttributeValue)

    static func object(_ attributes: [Attribute]) -> [String: AttributeJSON] {
        Dictionary(attributes.map { ($0.key, .value($0.value)) }, uniquingKeysWith: { first, _ in first })
    }

    func encode(to encoder: any Encoder) throws {
        guard case .value(let value) = self else { return }
        var container = encoder.singleValueContainer()
        switch value {
        case .string(let string): try container.encode(string)
        case .bool(let bool): try container.encode(bool)
        case .int(let int): try container.encode(int)
        case .double(let double): try container.encode(double)
        case .array(let values): try container.encode(values.map(AttributeJSON.value))
        case .map(let entries): try container.encode(Self.object(entries))
        case .bytes(let bytes): try container.encode(Data(bytes).base64EncodedString())
        }
    }
}

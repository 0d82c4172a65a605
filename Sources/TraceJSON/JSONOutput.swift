import Analyzer
import Foundation
import KeiroModel
import Store

/// JSON renderings for the CLI's `--json` and the collector's HTTP API
/// (`schemas/openapi.yaml`): OTLP/JSON-like spellings (hex ids, nanosecond times),
/// attributes as typed JSON values keyed by name.
public enum JSONOutput {
    /// Pretty-printed (the CLI) or compact (HTTP), keys sorted.
    public static func encode(_ value: some Encodable, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// One stored span with its service, resource and scope.
public struct SpanJSON: Encodable, Sendable {
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

    public struct StatusJSON: Encodable, Sendable {
        var code: String
        var message: String?
    }

    public struct EventJSON: Encodable, Sendable {
        var timeUnixNano: UInt64
        var name: String
        var attributes: [String: AttributeJSON]
    }

    public struct LinkJSON: Encodable, Sendable {
        var traceId: String
        var spanId: String
        var attributes: [String: AttributeJSON]
    }

    public struct ScopeJSON: Encodable, Sendable {
        var name: String
        var version: String
    }

    public init(_ stored: StoredSpan) {
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

/// A trace's stored summary, with its start also in RFC 3339 and its recorded flags by name.
public struct TraceSummaryJSON: Encodable, Sendable {
    var traceId: String
    /// RFC 3339, UTC, millisecond precision (`startTimeUnixNano` is exact).
    var start: String
    var startTimeUnixNano: UInt64
    var durationNanos: UInt64
    var spanCount: Int
    var errorCount: Int
    var rootSpanId: String
    var hasRoot: Bool
    var rootService: String
    var rootName: String
    var rootRoute: String?
    var flags: [String]

    public init(_ summary: TraceSummary) {
        traceId = summary.traceID.hexString
        start = RFC3339.timestamp(unixNanos: summary.startTimeUnixNano)
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
public enum AttributeJSON: Encodable, Sendable {
    case value(AttributeValue)

    static func object(_ attributes: [Attribute]) -> [String: AttributeJSON] {
        Dictionary(attributes.map { ($0.key, .value($0.value)) }, uniquingKeysWith: { first, _ in first })
    }

    public func encode(to encoder: any Encoder) throws {
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

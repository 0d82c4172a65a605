import Foundation

/// OTLP/JSON as the spec defines it (not proto3's canonical JSON): hex ids, integer enums,
/// 64-bit integers as strings or numbers, lowerCamelCase keys, unknown fields ignored.
/// Decoded with Codable rather than SwiftProtobuf's JSON decoder, which reads hex ids as
/// base64 without an error.
enum OTLPJSON {
    struct ExportRequest: Decodable {
        var resourceSpans: [ResourceSpans]?
    }

    struct ResourceSpans: Decodable {
        var resource: Resource?
        var scopeSpans: [ScopeSpans]?
    }

    struct Resource: Decodable {
        var attributes: [KeyValue]?
        var droppedAttributesCount: FlexibleInteger<UInt32>?
    }

    struct ScopeSpans: Decodable {
        var scope: Scope?
        var spans: [Span]?
    }

    struct Scope: Decodable {
        var name: String?
        var version: String?
        var attributes: [KeyValue]?
        var droppedAttributesCount: FlexibleInteger<UInt32>?
    }

    struct Span: Decodable {
        var traceId: String?
        var spanId: String?
        var traceState: String?
        var parentSpanId: String?
        var flags: FlexibleInteger<UInt32>?
        var name: String?
        var kind: FlexibleEnum?
        var startTimeUnixNano: FlexibleInteger<UInt64>?
        var endTimeUnixNano: FlexibleInteger<UInt64>?
        var attributes: [KeyValue]?
        var droppedAttributesCount: FlexibleInteger<UInt32>?
        var events: [Event]?
        var droppedEventsCount: FlexibleInteger<UInt32>?
        var links: [Link]?
        var droppedLinksCount: FlexibleInteger<UInt32>?
        var status: Status?
    }

    struct Event: Decodable {
        var timeUnixNano: FlexibleInteger<UInt64>?
        var name: String?
        var attributes: [KeyValue]?
        var droppedAttributesCount: FlexibleInteger<UInt32>?
    }

    struct Link: Decodable {
        var traceId: String?
        var spanId: String?
        var traceState: String?
        var attributes: [KeyValue]?
        var droppedAttributesCount: FlexibleInteger<UInt32>?
        var flags: FlexibleInteger<UInt32>?
    }

    struct Status: Decodable {
        var message: String?
        var code: FlexibleEnum?
    }

    struct KeyValue: Decodable {
        var key: String?
        var value: AnyValue?
    }

    struct KeyValueList: Decodable {
        var values: [KeyValue]?
    }

    struct ArrayValue: Decodable {
        var values: [AnyValue]?
    }

    struct AnyValue: Decodable {
        var stringValue: String?
        var boolValue: Bool?
        var intValue: FlexibleInteger<Int64>?
        var doubleValue: FlexibleDouble?
        var arrayValue: ArrayValue?
        var kvlistValue: KeyValueList?
        var bytesValue: String?
    }

    /// An integer sent as a JSON number or a decimal string (the spec's rule for 64-bit values).
    struct FlexibleInteger<Value: FixedWidthInteger & Decodable & Sendable>: Decodable {
        var value: Value

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Value.self) {
                value = number
            } else if let text = try? container.decode(String.self), let number = Value(text) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an integer (number or decimal string) in range of \(Value.self)")
            }
        }
    }

    /// A double sent as a number or as `"NaN"`, `"Infinity"`, `"-Infinity"` or a numeric string.
    struct FlexibleDouble: Decodable {
        var value: Double

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                value = number
            } else if let text = try? container.decode(String.self), let number = Double(text) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a double")
            }
        }
    }

    /// An enum sent as its integer (the OTLP/JSON rule) or, leniently, as its proto name.
    struct FlexibleEnum: Decodable {
        var value: Int

        private static let names: [String: Int] = [
            "SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3,
            "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5,
            "STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2,
        ]

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                value = number
            } else if let name = try? container.decode(String.self), let number = Self.names[name] {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an enum integer")
            }
        }
    }
}

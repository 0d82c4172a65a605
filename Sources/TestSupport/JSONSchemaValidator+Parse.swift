import Foundation

extension JSONSchemaValidator {
    /// JSON text as the native values `validate` expects (`String`, `Int`, `Double`, `Bool`,
    /// `[Any]`, `[String: Any]`). `JSONSerialization`'s `NSNumber`s cannot be told apart
    /// (`0` passes `is Bool` on Linux), so a reply is decoded with `JSONDecoder` instead.
    public static func parse(_ data: Data) throws -> Any {
        try JSONDecoder().decode(NativeJSON.self, from: data).value
    }
}

/// One JSON value decoded into native Swift types.
private struct NativeJSON: Decodable {
    var value: Any

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = NSNull()
        } else if let bool = try? container.decode(Bool.self) {
            value = bool
        } else if let int = try? container.decode(Int.self) {
            value = int
        } else if let double = try? container.decode(Double.self) {
            value = double
        } else if let string = try? container.decode(String.self) {
            value = string
        } else if let array = try? container.decode([NativeJSON].self) {
            value = array.map(\.value)
        } else {
            value = try container.decode([String: NativeJSON].self).mapValues(\.value)
        }
    }
}

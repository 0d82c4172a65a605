/// A setting of ``ExportConfiguration`` that cannot work, with what was wrong and where it
/// came from (the property or environment variable).
public struct ExportConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// The collector URL is not an `http://` or `https://` URL with a host.
        public static let invalidCollectorURL = Code(name: "invalidCollectorURL")
        /// A number is missing, not a number, or out of range.
        public static let invalidNumber = Code(name: "invalidNumber")
        /// A compression other than `gzip` or `none`.
        public static let invalidCompression = Code(name: "invalidCompression")
        /// The code's name, e.g. `invalidCollectorURL`.
        public var description: String { name }
    }

    /// What kind of problem it is.
    public var code: Code
    /// The property or environment variable holding the bad value, e.g. `OTEL_BSP_MAX_QUEUE_SIZE`.
    public var field: String
    /// A sentence saying what was wrong and what is accepted.
    public var message: String

    /// An error about `field`, described by `message`.
    public init(code: Code, field: String, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// `"FIELD: MESSAGE"`, e.g. `"collector: '127.0.0.1:4318' is not a collector URL; use http://HOST:PORT, …"`.
    public var description: String { "\(field): \(message)" }
}

import Store

/// Settings of `keiro collector`. Every property can also be set from the config file
/// (`--config`), under the same name.
public struct CollectorConfiguration: Sendable {
    /// Address to listen on. Default `127.0.0.1`.
    public var host: String
    /// Port to listen on; 0 picks a free one. Default 4318 (OTLP/HTTP).
    public var port: Int
    /// The span store's settings (database path, indexed headers, queue size).
    public var store: StoreConfiguration
    /// Largest request body accepted as sent (compressed), in bytes. Default 16 MiB.
    public var maxRequestBytes: Int
    /// Largest body after decompression, in bytes; inflating stops there. Default 64 MiB.
    public var maxDecompressedBytes: Int
    /// Attributes kept per span, event, link, resource or scope; the rest are dropped and
    /// counted in `dropped_attributes_count`. Default 128 (OpenTelemetry's default).
    public var maxAttributesPerSpan: Int
    /// Longest string or bytes attribute value kept; longer ones are truncated and counted
    /// in `dropped_attributes_count`. Default 16,384.
    public var maxAttributeValueLength: Int
    /// Seconds suggested in `Retry-After` when the write queue is full. Default 1.
    public var retryAfterSeconds: Int

    public init(
        host: String = "127.0.0.1", port: Int = 4318, store: StoreConfiguration,
        maxRequestBytes: Int = 16 << 20, maxDecompressedBytes: Int = 64 << 20,
        maxAttributesPerSpan: Int = 128, maxAttributeValueLength: Int = 16_384, retryAfterSeconds: Int = 1
    ) {
        self.host = host
        self.port = port
        self.store = store
        self.maxRequestBytes = maxRequestBytes
        self.maxDecompressedBytes = maxDecompressedBytes
        self.maxAttributesPerSpan = maxAttributesPerSpan
        self.maxAttributeValueLength = maxAttributeValueLength
        self.retryAfterSeconds = retryAfterSeconds
    }
}

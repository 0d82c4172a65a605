import ArgumentParser
import Collector
import Foundation
import KeiroModel
import Logging
import Store

/// `keiro collector`: receive spans over OTLP/HTTP and Zipkin and store them in SQLite.
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "Receive spans (OTLP/HTTP protobuf and JSON, Zipkin v2 JSON) and store them in SQLite.",
        discussion: """
            Endpoints: POST /v1/traces (OTLP/HTTP), POST /api/v2/spans (Zipkin v2), GET /healthz, GET /metrics.
            Every option can also be set in the YAML or JSON file given with --config, under the option's
            name (e.g. `listen: 127.0.0.1:4318`, `db: spans.sqlite`, `indexed-headers: [x-request-id, feature]`);
            command-line options win over the file.
            """)

    @Option(help: "YAML or JSON file with any of the options below.")
    var config: String?

    @Option(help: "Address and port to listen on (default 127.0.0.1:4318).")
    var listen: String?

    @Option(help: "SQLite database file (default keiro.db in the working directory).")
    var db: String?

    @Option(help: "Largest request body as sent, in bytes (default 16 MiB).")
    var maxRequestBytes: Int?

    @Option(help: "Largest body after decompression, in bytes (default 64 MiB).")
    var maxDecompressedBytes: Int?

    @Option(help: "Attributes kept per span, event, link, resource and scope (default 128).")
    var maxAttributes: Int?

    @Option(help: "Longest attribute value kept, in bytes (default 16384).")
    var maxAttributeLength: Int?

    @Option(help: "Spans allowed to wait for the writer before requests get 503 (default 262144).")
    var maxQueuedSpans: Int?

    @Option(
        name: .customLong("indexed-header"),
        help: "Request header indexed for search; repeatable (default: x-request-id, feature).")
    var indexedHeaders: [String] = []

    @Option(
        name: .customLong("indexed-header-prefix"),
        help: "Request header name prefix indexed for search; repeatable (default: service-router-).")
    var indexedHeaderPrefixes: [String] = []

    @Option(help: ArgumentHelp(
        "How long spans are kept after they are stored, e.g. 72h or 30m (default: forever). Whole segments of the store go once their newest span is older.",
        valueName: "duration"))
    var retention: String?

    @Flag(help: "Use PRAGMA synchronous=FULL: a commit also survives power loss (slower).")
    var syncFull = false

    func run() async throws {
        let configuration = try resolvedConfiguration()
        var logger = Logger(label: "keiro.collector")
        logger.logLevel = .info
        let collector = try Collector(configuration: configuration, logger: logger)
        try await collector.run { port in
            print("keiro collector listening on http://\(configuration.host):\(port) (OTLP /v1/traces, Zipkin /api/v2/spans), store \(configuration.store.path)")
        }
    }

    /// Defaults, overridden by the config file, overridden by flags.
    func resolvedConfiguration() throws -> CollectorConfiguration {
        let file = try config.map { try ConfigFile(path: $0) } ?? ConfigFile()
        let listen = try HostPort(parsing: self.listen ?? file.string("listen") ?? "127.0.0.1:4318")
        var store = StoreConfiguration(path: db ?? file.string("db") ?? "keiro.db")
        if let headers = indexedHeaders.nonEmpty ?? file.strings("indexed-headers") { store.indexedHeaders = Set(headers.map { $0.lowercased() }) }
        if let prefixes = indexedHeaderPrefixes.nonEmpty ?? file.strings("indexed-header-prefixes") { store.indexedHeaderPrefixes = prefixes }
        if let queued = try maxQueuedSpans ?? file.int("max-queued-spans") { store.maxQueuedSpans = try positive(queued, "max-queued-spans") }
        if let text = retention ?? file.string("retention") {
            guard let age = DurationSyntax.parse(text), age > .zero else {
                throw ValidationError("retention must be a duration greater than 0 such as 72h or 30m (got '\(text)')")
            }
            store.retention = age
        }
        store.synchronousFull = try syncFull || (file.bool("sync-full") ?? false)
        var configuration = CollectorConfiguration(host: listen.host, port: listen.port, store: store)
        if let value = try maxRequestBytes ?? file.int("max-request-bytes") { configuration.maxRequestBytes = try positive(value, "max-request-bytes") }
        if let value = try maxDecompressedBytes ?? file.int("max-decompressed-bytes") { configuration.maxDecompressedBytes = try positive(value, "max-decompressed-bytes") }
        if let value = try maxAttributes ?? file.int("max-attributes") { configuration.maxAttributesPerSpan = try positive(value, "max-attributes") }
        if let value = try maxAttributeLength ?? file.int("max-attribute-length") { configuration.maxAttributeValueLength = try positive(value, "max-attribute-length") }
        try file.rejectUnknownKeys(allowed: [
            "listen", "db", "indexed-headers", "indexed-header-prefixes", "max-queued-spans", "sync-full", "max-request-bytes",
            "max-decompressed-bytes", "max-attributes", "max-attribute-length", "retention",
        ])
        return configuration
    }

    private func positive(_ value: Int, _ name: String) throws -> Int {
        guard value > 0 else { throw ValidationError("\(name) must be greater than 0 (got \(value))") }
        return value
    }
}

extension Array {
    var nonEmpty: Self? { isEmpty ? nil : self }
}

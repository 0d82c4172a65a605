// swift-tools-version:6.1
import PackageDescription

/// Every target builds in Swift 6 language mode (strict concurrency) with the same settings.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Keiro",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "keiro", targets: ["keiro"]),
        .library(name: "KeiroModel", targets: ["KeiroModel"]),
        .library(name: "RoutingCore", targets: ["RoutingCore"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Collector", targets: ["Collector"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Span, ids, attributes, resource: the vocabulary every other module speaks.
        .target(name: "KeiroModel", swiftSettings: swiftSettings),
        // OTLP protobuf messages (generated from schemas/proto) and OTLP/Zipkin <-> KeiroModel codecs.
        .target(
            name: "OTLPWire",
            dependencies: [
                "KeiroModel",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // Intel ISA-L's igzip (system library: libisal-dev / isa-l).
        .systemLibrary(name: "CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"]), .brew(["isa-l"])]),
        // Fast gzip / raw deflate compression on ISA-L.
        .target(name: "Deflate", dependencies: ["CISAL"], swiftSettings: swiftSettings),
        // Pure trace analysis: request trees, self time, folded stacks (no I/O).
        .target(name: "Analyzer", dependencies: ["KeiroModel"], swiftSettings: swiftSettings),
        // Pure routing decisions: config, matching, weighted choice, retry/timeout policy.
        .target(
            name: "RoutingCore",
            dependencies: ["KeiroModel", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // SQLite settings Swift cannot make: sqlite3_config is variadic.
        .target(name: "CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
        // SQLite span store (schema in schemas/sqlite, applied at start-up).
        .target(
            name: "Store",
            dependencies: [
                "KeiroModel", "Analyzer", "Deflate", "CSQLiteTuning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        // JSON renderings of stored traces, shared by the CLI's --json output and the HTTP query API.
        .target(name: "TraceJSON", dependencies: ["KeiroModel", "Store", "Analyzer"], swiftSettings: swiftSettings),
        // HTTP ingest (OTLP/HTTP protobuf and JSON, Zipkin v2 JSON) into the store, and the
        // read-only JSON query API over it.
        .target(
            name: "Collector",
            dependencies: [
                "KeiroModel", "OTLPWire", "Store", "Analyzer", "TraceJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Span export from the proxies: bounded queue -> batches -> gzip OTLP/HTTP to the collector.
        .target(
            name: "SpanExport",
            dependencies: [
                "KeiroModel", "OTLPWire", "Deflate",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP data plane shared by edge, gateway and sidecar: forwards requests, applies
        // RoutingCore decisions, records spans through SpanExport.
        .target(
            name: "Proxy",
            dependencies: [
                "KeiroModel", "OTLPWire", "RoutingCore", "SpanExport",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Demo topology services: the BFF that aggregates through its sidecar, and backends
        // with per-instance fault injection.
        .target(
            name: "DemoServices",
            dependencies: [
                "KeiroModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "keiro",
            dependencies: [
                "KeiroModel", "RoutingCore", "Store", "Collector", "DemoServices", "Analyzer", "Proxy", "TraceJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks (run through tools/bench/<name>, release builds).
        .executableTarget(
            name: "IngestBench",
            dependencies: [
                "KeiroModel", "OTLPWire", "Store", "Collector", "TestSupport", "Deflate",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Benchmarks/IngestBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "QueryBench",
            dependencies: [
                "KeiroModel", "Store", "Analyzer", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/Benchmarks/QueryBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "RoutingBench",
            dependencies: ["RoutingCore", "KeiroModel"],
            path: "Sources/Benchmarks/RoutingBench",
            swiftSettings: swiftSettings
        ),
        // The least an HTTP/1.1 proxy on SwiftNIO does: the stack's floor in tools/bench/proxy.
        .executableTarget(
            name: "NIOFloorProxy",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Benchmarks/NIOFloorProxy",
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets and benchmarks (temp databases, span fixtures, HTTP posting).
        .target(
            name: "TestSupport",
            dependencies: [
                "KeiroModel", "OTLPWire", "Store", "Collector",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "KeiroModelTests", dependencies: ["KeiroModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "OTLPWireTests",
            dependencies: ["OTLPWire", "TestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RoutingCoreTests",
            dependencies: [
                "RoutingCore", "KeiroModel", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DeflateTests",
            dependencies: ["Deflate", .product(name: "CompressNIO", package: "compress-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpanExportTests",
            dependencies: ["SpanExport", "OTLPWire", "TestSupport", "Collector", "Store", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProxyTests",
            dependencies: [
                "Proxy", "OTLPWire", "TestSupport", "Collector", "Store", "DemoServices",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DemoServicesTests",
            dependencies: [
                "DemoServices", "KeiroModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "AnalyzerTests", dependencies: ["Analyzer"], swiftSettings: swiftSettings),
        .testTarget(name: "KeiroCLITests", dependencies: ["keiro", "Proxy", "TestSupport", "Store", "Analyzer", "KeiroModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Analyzer", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: swiftSettings),
        .testTarget(
            name: "CollectorTests",
            dependencies: [
                "Collector", "TestSupport", "Store", "OTLPWire", "KeiroModel", "Analyzer",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

import ArgumentParser
import Foundation
import Testing

@testable import keiro

@Suite struct CollectorCommandTests {
    @discardableResult
    private func withConfigFile<T>(_ yaml: String, _ body: (String) throws -> T) throws -> T {
        let path = NSTemporaryDirectory() + "keiro-config-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test func defaultsMatchTheDocumentedOnes() throws {
        let configuration = try CollectorCommand.parse([]).resolvedConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 4318)
        #expect(configuration.store.path == "keiro.db")
        #expect(configuration.store.indexedHeaders == ["x-request-id", "feature"])
        #expect(configuration.store.indexedHeaderPrefixes == ["service-router-"])
        #expect(configuration.store.retention == nil)
    }

    @Test func configFileSetsEveryOptionAndFlagsWin() throws {
        let yaml = """
            listen: 0.0.0.0:9411
            db: /tmp/spans.db
            max-request-bytes: 1000
            max-decompressed-bytes: 2000
            max-attributes: 10
            max-attribute-length: 20
            max-queued-spans: 30
            indexed-headers: [X-Tenant, feature]
            indexed-header-prefixes: [x-route-]
            sync-full: true
            retention: 72h
            """
        try withConfigFile(yaml) { path in
            let fromFile = try CollectorCommand.parse(["--config", path]).resolvedConfiguration()
            #expect(fromFile.host == "0.0.0.0")
            #expect(fromFile.port == 9411)
            #expect(fromFile.store.path == "/tmp/spans.db")
            #expect(fromFile.maxRequestBytes == 1000)
            #expect(fromFile.maxDecompressedBytes == 2000)
            #expect(fromFile.maxAttributesPerSpan == 10)
            #expect(fromFile.maxAttributeValueLength == 20)
            #expect(fromFile.store.maxQueuedSpans == 30)
            #expect(fromFile.store.indexedHeaders == ["x-tenant", "feature"])
            #expect(fromFile.store.indexedHeaderPrefixes == ["x-route-"])
            #expect(fromFile.store.synchronousFull)
            #expect(fromFile.store.retention == .seconds(72 * 3600))

            let overridden = try CollectorCommand.parse(["--config", path, "--listen", "[::1]:4318", "--db", "other.db", "--max-attributes", "5", "--retention", "90m"])
                .resolvedConfiguration()
            #expect(overridden.host == "::1")
            #expect(overridden.port == 4318)
            #expect(overridden.store.path == "other.db")
            #expect(overridden.maxAttributesPerSpan == 5)
            #expect(overridden.maxRequestBytes == 1000)
            #expect(overridden.store.retention == .seconds(90 * 60))
        }
    }

    @Test(arguments: [
        ("lisen: 127.0.0.1:1", "unknown option 'lisen'"),
        ("max-attributes: many", "'max-attributes' must be an integer"),
        ("max-attributes: 0", "max-attributes must be greater than 0"),
        ("listen: 127.0.0.1", "is not host:port"),
        ("listen: 127.0.0.1:70000", "port must be a number from 0 to 65535"),
        ("- just a list", "must be a mapping"),
        ("retention: 3d", "retention must be a duration greater than 0 such as 72h or 30m (got '3d')"),
        ("retention: 0", "retention must be a duration greater than 0"),
    ])
    func badConfigFilesAreRejectedWithTheReason(yaml: String, message: String) throws {
        try withConfigFile(yaml) { path in
            #expect {
                try CollectorCommand.parse(["--config", path]).resolvedConfiguration()
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }

    @Test func missingConfigFileIsAClearError() {
        #expect {
            try CollectorCommand.parse(["--config", "/nonexistent/keiro.yaml"]).resolvedConfiguration()
        } throws: { error in
            "\(error)".contains("cannot read config file /nonexistent/keiro.yaml")
        }
    }
}

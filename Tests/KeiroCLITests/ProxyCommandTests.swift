import ArgumentParser
import Foundation
import Proxy
import RoutingCore
import Testing

@testable import keiro

@Suite struct ProxyCommandTests {
    static let virtualService = """
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: reviews, namespace: reviews}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews}
        ---
        apiVersion: keiro.dev/v1
        kind: Endpoints
        hosts:
          reviews: {addresses: ["127.0.0.1:9301"]}
        """

    @discardableResult
    private func withFile<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
        let path = NSTemporaryDirectory() + "keiro-proxy-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test func theSidecarPicksItsVirtualService() throws {
        try withFile(Self.virtualService) { path in
            let sets = try SidecarCommand.parse([path, "--collector", "http://127.0.0.1:4318"]).options.routeSets(.sidecar)
            #expect(sets.map(\.name) == ["reviews"])
            #expect(sets.first?.routes.count == 1)
        }
    }

    @Test func aGatewayRefusesAFileWithoutGatewayRoutes() throws {
        try withFile(Self.virtualService) { path in
            #expect {
                _ = try GatewayCommand.parse([path]).options.routeSets(.gateway)
            } throws: { error in
                "\(error)".contains("expected exactly one gateway route set")
            }
        }
    }

    @Test func configErrorsAreReportedWithTheirLocation() throws {
        try withFile(Self.virtualService.replacingOccurrences(of: "- route:", with: "- timeout: 5x\n    route:")) { path in
            #expect {
                _ = try SidecarCommand.parse([path]).options.routeSets(.sidecar)
            } throws: { error in
                "\(error)".contains("\(path):7") && "\(error)".contains("'5x' is not a duration")
            }
        }
    }

    @Test func theProxySettingsReloadTheFilesAndTakeOnlyExporterTuningFromTheEnvironment() throws {
        try withFile(Self.virtualService) { path in
            let options = try SidecarCommand.parse([path, "--reload-poll", "0.25"]).options
            let configuration = try options.configuration(.sidecar, defaultPort: 15001, environment: [
                "OTEL_BSP_MAX_QUEUE_SIZE": "16", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://elsewhere:4318", "HOME": "/root",
                "OTEL_EXPORTER_OTLP_COMPRESSION": "none",
            ])
            #expect(configuration.reload == ReloadSettings(
                source: RouteSource(paths: [path], kind: .sidecar), onSIGHUP: true, pollInterval: .milliseconds(250)))
            #expect(configuration.exportEnvironment == ["OTEL_BSP_MAX_QUEUE_SIZE": "16", "OTEL_EXPORTER_OTLP_COMPRESSION": "none"])
            #expect(configuration.port == 15001 && configuration.accessLog == nil && !configuration.addsAmazonTraceID)
            let signalOnly = try SidecarCommand.parse([path, "--reload-poll", "0"]).options
            #expect(try signalOnly.configuration(.sidecar, defaultPort: 15001, environment: [:]).reload?.pollInterval == nil)
        }
    }
}

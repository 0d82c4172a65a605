import ArgumentParser
import Foundation
import Logging
import Proxy
import RoutingCore
import ServiceLifecycle

/// Options every proxy command shares.
struct ProxyOptions: ParsableArguments {
    @Argument(help: "Route config files (YAML or JSON), plus the endpoints file that resolves hosts and subsets.")
    var files: [String]

    @Option(help: "Address and port to listen on (default: the config's port, else the command's default).")
    var listen: String?

    @Option(help: "Collector base URL spans are exported to, e.g. http://127.0.0.1:4318 (default: no export).")
    var collector: String?

    @Option(help: "service.name of the spans this proxy records (default: the command name).")
    var serviceName: String?

    @Option(help: "Seconds between checks of the config files for changes (0: reload on SIGHUP only).")
    var reloadPoll: Double = 1

    /// Loads the files and picks the route sets of `kind`: exactly one for an edge or a
    /// gateway, one or more VirtualServices (chosen per request by host) for a sidecar.
    func routeSets(_ kind: ConfigKind) throws -> [RouteSet] {
        do {
            return try RouteSource(paths: files, kind: kind).load()
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The proxy's settings: routes from the files (re-read on SIGHUP and on change), the
    /// edge's access log from its config, exporter tuning from `OTEL_BSP_*`.
    func configuration(_ kind: ConfigKind, defaultPort: Int, environment: [String: String]) throws -> ProxyConfiguration {
        guard reloadPoll >= 0 else { throw ValidationError("--reload-poll must be ≥ 0 (got \(reloadPoll))") }
        let sets = try routeSets(kind)
        let address = try HostPort(parsing: listen ?? "127.0.0.1:\(sets.count == 1 ? sets[0].port ?? defaultPort : defaultPort)")
        var configuration = ProxyConfiguration(
            routeSets: sets, host: address.host, port: address.port, serviceName: serviceName ?? kind.rawValue, collector: collector)
        configuration.reload = ReloadSettings(
            source: RouteSource(paths: files, kind: kind), onSIGHUP: true,
            pollInterval: reloadPoll > 0 ? .milliseconds(Int(reloadPoll * 1000)) : nil)
        configuration.exportEnvironment = environment.filter {
            $0.key.hasPrefix("OTEL_BSP_")
                || ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"]
                    .contains($0.key)
        }
        return configuration
    }

    /// Runs a proxy for `kind` until SIGINT/SIGTERM.
    func run(_ kind: ConfigKind, defaultPort: Int) async throws {
        let configuration = try configuration(kind, defaultPort: defaultPort, environment: ProcessInfo.processInfo.environment)
        let logger = Logger(label: "keiro.\(kind.rawValue)")
        let names = configuration.routeSets.map(\.name).joined(separator: "', '")
        let server = try ProxyServer(configuration: configuration, onServerRunning: { port in
            print("keiro \(kind.rawValue) '\(names)' listening on http://\(configuration.host):\(port)"
                + (configuration.collector.map { ", spans to \($0)" } ?? ", spans not exported (no --collector)")
                + (configuration.accessLog.map { ", access log in \($0.directory)" } ?? ""))
            fflush(nil)  // at once, also when stdout is a file (scripts wait for this line)
        }, logger: logger)
        try await ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
    }
}

/// `keiro edge`: the ALB-like edge.
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge", abstract: "Run the ALB-like edge: listener rules by priority to weighted target groups.")
    @OptionGroup var options: ProxyOptions
    func run() async throws { try await options.run(.edge, defaultPort: 8080) }
}

/// `keiro gateway`: the API gateway.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "Run the API gateway: path routes to weighted target groups with retries and timeouts.")
    @OptionGroup var options: ProxyOptions
    func run() async throws { try await options.run(.gateway, defaultPort: 8081) }
}

/// `keiro sidecar`: an Istio-style sidecar for one or more VirtualServices.
struct SidecarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sidecar", abstract: "Run a sidecar applying Istio VirtualServices, chosen by Host (header matches, weighted subsets, retries, timeouts).")
    @OptionGroup var options: ProxyOptions
    func run() async throws { try await options.run(.sidecar, defaultPort: 15001) }
}

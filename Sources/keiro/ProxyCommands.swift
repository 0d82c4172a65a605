import ArgumentParser
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

    /// Loads the files and picks the one route set of `kind`.
    func routeSet(_ kind: ConfigKind) throws -> RouteSet {
        let config: RouteConfig
        do {
            config = try ConfigLoader.load(paths: files)
        } catch {
            throw ValidationError(error.errors.map(\.description).joined(separator: "\n"))
        }
        let sets = config.routeSets.filter { $0.kind == kind }
        guard sets.count == 1, let set = sets.first else {
            throw ValidationError("expected exactly one \(kind.rawValue) route set in \(files.joined(separator: ", ")), found \(sets.count)")
        }
        return set
    }

    /// Runs a proxy for `kind` until SIGINT/SIGTERM.
    func run(_ kind: ConfigKind, defaultPort: Int) async throws {
        let routes = try routeSet(kind)
        let address = try HostPort(parsing: listen ?? "127.0.0.1:\(routes.port ?? defaultPort)")
        let configuration = ProxyConfiguration(
            routes: routes, host: address.host, port: address.port, serviceName: serviceName ?? kind.rawValue, collector: collector)
        let logger = Logger(label: "keiro.\(kind.rawValue)")
        let server = try ProxyServer(configuration: configuration, onServerRunning: { port in
            print("keiro \(kind.rawValue) '\(routes.name)' listening on http://\(address.host):\(port), \(routes.routes.count) routes"
                + (collector.map { ", spans to \($0)" } ?? ", spans not exported (no --collector)"))
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

/// `keiro sidecar`: an Istio-style sidecar for one VirtualService.
struct SidecarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sidecar", abstract: "Run a sidecar applying one Istio VirtualService (header matches, weighted subsets, retries, timeouts).")
    @OptionGroup var options: ProxyOptions
    func run() async throws { try await options.run(.sidecar, defaultPort: 15001) }
}

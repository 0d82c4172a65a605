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

    /// Loads the files and picks the route sets of `kind`: exactly one for an edge or a
    /// gateway, one or more VirtualServices (chosen per request by host) for a sidecar.
    func routeSets(_ kind: ConfigKind) throws -> [RouteSet] {
        let config: RouteConfig
        do {
            config = try ConfigLoader.load(paths: files)
        } catch {
            throw ValidationError(error.errors.map(\.description).joined(separator: "\n"))
        }
        let sets = config.routeSets.filter { $0.kind == kind }
        guard kind == .sidecar ? !sets.isEmpty : sets.count == 1 else {
            let wanted = kind == .sidecar ? "at least one VirtualService" : "exactly one \(kind.rawValue) route set"
            throw ValidationError("expected \(wanted) in \(files.joined(separator: ", ")), found \(sets.count)")
        }
        return sets
    }

    /// Runs a proxy for `kind` until SIGINT/SIGTERM.
    func run(_ kind: ConfigKind, defaultPort: Int) async throws {
        let sets = try routeSets(kind)
        let address = try HostPort(parsing: listen ?? "127.0.0.1:\(sets.count == 1 ? sets[0].port ?? defaultPort : defaultPort)")
        let configuration = ProxyConfiguration(
            routeSets: sets, host: address.host, port: address.port, serviceName: serviceName ?? kind.rawValue, collector: collector)
        let logger = Logger(label: "keiro.\(kind.rawValue)")
        let server = try ProxyServer(configuration: configuration, onServerRunning: { port in
            print("keiro \(kind.rawValue) '\(sets.map(\.name).joined(separator: "', '"))' listening on http://\(address.host):\(port)"
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

/// `keiro sidecar`: an Istio-style sidecar for one or more VirtualServices.
struct SidecarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sidecar", abstract: "Run a sidecar applying Istio VirtualServices, chosen by Host (header matches, weighted subsets, retries, timeouts).")
    @OptionGroup var options: ProxyOptions
    func run() async throws { try await options.run(.sidecar, defaultPort: 15001) }
}

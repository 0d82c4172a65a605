import ArgumentParser

/// The `keiro` command line: collector, proxies, trace queries and routing tools.
@main
struct Keiro: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keiro",
        abstract: "Observable microservice routing: proxies that trace themselves and a collector that explains them.",
        subcommands: [CollectorCommand.self, TracesCommand.self, RoutesCommand.self, IngestCommand.self, BackendCommand.self, BFFCommand.self, FlameCommand.self, EdgeCommand.self, GatewayCommand.self, SidecarCommand.self, DemoCommand.self]
    )
}

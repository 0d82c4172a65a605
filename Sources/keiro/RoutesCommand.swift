import ArgumentParser
import Foundation
import RoutingCore

/// `keiro routes check|explain`: tools for people writing edge, gateway and sidecar configs.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Validate routing configs and explain how a request would be routed.",
        subcommands: [Check.self, Explain.self]
    )

    /// `keiro routes check FILE…`
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate config files (loaded together); print every error with file:line:column and exit 1 on any."
        )

        @Argument(help: "Edge, gateway, VirtualService and endpoints files (YAML or JSON).")
        var files: [String]

        func run() async throws {
            let config = try loadOrExit(files)
            for set in config.routeSets {
                print("ok  \(set.location.file): \(set.kind.rawValue) \(set.name), \(set.routes.count) route\(set.routes.count == 1 ? "" : "s")")
            }
        }
    }

    /// `keiro routes explain FILE… --method GET --path /search --header feature=v1`
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which route a request matches and why, its destinations with shares, and the retry and timeout policy."
        )

        @Argument(help: "Config files (loaded together, e.g. a VirtualService plus an endpoints file).")
        var files: [String]

        @Option(help: "Request method.")
        var method = "GET"

        @Option(help: "Request path, optionally with a query string.")
        var path: String

        @Option(name: .customLong("header"), help: "A request header as name=value (repeatable).")
        var headers: [String] = []

        @Option(name: .customLong("query"), help: "A query parameter as name=value (repeatable).")
        var queries: [String] = []

        @Option(help: "Authority (Host); also selects the VirtualService serving that host.")
        var host: String?

        @Option(help: "Selects the edge listener on this port.")
        var port: Int?

        func run() async throws {
            let config = try loadOrExit(files)
            let headerPairs = try headers.map { try pair($0, option: "--header") }
            let queryPairs = try queries.map { try pair($0, option: "--query") }
            var target = path
            if !queryPairs.isEmpty {
                target += (target.contains("?") ? "&" : "?") + queryPairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            }
            let request = RouteRequest(method: method, target: target, authority: host, headers: headerPairs)
            let sets = config.routeSets.filter { set in
                let servesHost = host.map { set.hosts.isEmpty || set.hosts.contains($0) } ?? true
                return servesHost && (port == nil || set.port == port)
            }
            guard !sets.isEmpty else {
                throw ValidationError("no route set serves host \(host ?? "-") / port \(port.map(String.init) ?? "-")")
            }
            print("Request: \(method) \(target)\(headerPairs.map { "  \($0.0): \($0.1)" }.joined())")
            for set in sets {
                print("")
                print(RouteTable(set).explain(request).render())
            }
        }

        private func pair(_ text: String, option: String) throws -> (String, String) {
            guard let separator = text.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ValidationError("\(option) expects name=value, got '\(text)'")
            }
            let value = text[text.index(after: separator)...].drop { $0 == " " }
            return (String(text[..<separator]), String(value))
        }
    }
}

/// Loads `files`, or prints every error to standard error and exits with status 1.
private func loadOrExit(_ files: [String]) throws -> RouteConfig {
    do {
        return try ConfigLoader.load(paths: files)
    } catch {
        let text = error.description + "\n"
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode.failure
    }
}

import ArgumentParser
import Foundation
import Glibc

/// The demo's processes: every one a `keiro` subcommand on 127.0.0.1, ports as in the
/// configs of `tools/demo` (edge 8080, gateways 8081/8082, BFF 9001 and its sidecar 15001,
/// backends 9101–9411).
final class DemoTopology: @unchecked Sendable {
    static let logDirectory = ".keiro-demo/logs"

    /// (name, arguments, port) of each process, started in this order.
    let processes: [(name: String, arguments: [String], port: Int)]
    private var running: [Process] = []
    private let lock = NSLock()

    init(configDir: String, db: String, collectorPort: Int) {
        let collector = "http://127.0.0.1:\(collectorPort)"
        func config(_ name: String) -> String { configDir + "/" + name }
        func backend(_ service: String, _ instance: String, _ port: Int, _ faults: [String] = []) -> (String, [String], Int) {
            (instance, ["backend", "--service", service, "--instance", instance, "--listen", "127.0.0.1:\(port)", "--latency-ms", "2-15"] + faults, port)
        }
        let sidecars = ["sidecar-search.yaml", "sidecar-reviews.yaml", "sidecar-backend.yaml", "sidecar-pr-router.yaml", "endpoints.yaml"].map(config)
        processes = [
            ("collector", ["collector", "--listen", "127.0.0.1:\(collectorPort)", "--db", db], collectorPort),
            backend("search-api", "search-api-primary", 9101, ["--error-rate", "0.05"]),
            backend("search-api", "search-api-canary", 9102, ["--error-rate", "0.3", "--seed", "2"]),
            backend("backend-api", "backend-api", 9201, ["--error-rate", "0.1", "--hang-rate", "0.03", "--hang-ms", "3500", "--seed", "3"]),
            backend("reviews", "reviews", 9301),
            backend("reviews", "reviews-v1", 9311),
            backend("reviews", "reviews-v2", 9312),
            backend("svca", "svca", 9401),
            backend("svca", "svca-pr1", 9411),
            ("bff", ["bff", "--listen", "127.0.0.1:9001", "--sidecar", "http://127.0.0.1:15001"], 9001),
            ("bff-sidecar", ["sidecar"] + sidecars + ["--listen", "127.0.0.1:15001", "--collector", collector, "--service-name", "bff-sidecar"], 15001),
            ("gateway", ["gateway", config("gateway.yaml"), "--listen", "127.0.0.1:8081", "--collector", collector, "--service-name", "gateway"], 8081),
            ("gateway-canary", ["gateway", config("gateway.yaml"), "--listen", "127.0.0.1:8082", "--collector", collector, "--service-name", "gateway-canary"], 8082),
            ("edge", ["edge", config("edge.yaml"), "--listen", "127.0.0.1:8080", "--collector", collector, "--service-name", "edge"], 8080),
        ]
    }

    func start() throws {
        try FileManager.default.createDirectory(atPath: Self.logDirectory, withIntermediateDirectories: true)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for (name, arguments, _) in processes {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let log = Self.logDirectory + "/\(name).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            lock.withLock { running.append(process) }
        }
    }

    /// Waits until every process accepts TCP connections on its port, at most 30 s. (A
    /// plain connect, not an HTTP probe, so no probe shows up as a trace.)
    func waitUntilListening() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        for (name, _, port) in processes {
            while !Self.acceptsConnections(port: port) {
                guard ContinuousClock.now < deadline else {
                    throw ValidationError("\(name) did not start listening on 127.0.0.1:\(port); see \(Self.logDirectory)/\(name).log")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private static func acceptsConnections(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Stops every process with SIGTERM (graceful: proxies flush spans, the collector
    /// commits), the edge first and the collector last, waiting for each.
    func stop() {
        let processes = lock.withLock { () -> [Process] in
            defer { running.removeAll() }
            return running
        }
        for process in processes.reversed() where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

import ArgumentParser
import AsyncHTTPClient
import DemoServices
import Hummingbird
import Logging

/// `keiro backend`: one demo backend instance with fault injection.
struct BackendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backend",
        abstract: "Run a demo backend instance that answers any GET with JSON, with injected faults.")

    @Option(help: "Address and port to listen on.")
    var listen: String = "127.0.0.1:9101"

    @Option(help: "Service name, e.g. search-api.")
    var service: String

    @Option(help: "Instance name, e.g. search-api-canary (default: the service name).")
    var instance: String?

    @Option(help: "Share of requests answered with --error-status (0–1).")
    var errorRate: Double = 0

    @Option(help: "Status of injected errors.")
    var errorStatus: Int = 503

    @Option(help: "Share of requests whose connection is closed mid-response (0–1).")
    var resetRate: Double = 0

    @Option(help: "Share of requests that hang for --hang-ms (0–1).")
    var hangRate: Double = 0

    @Option(help: "How long a hung request waits before answering (ms).")
    var hangMs: Int = 60_000

    @Option(help: "Latency range of every answer in ms, e.g. 5-20.")
    var latencyMs: String = "1-5"

    @Option(help: "Seed of the fault draws.")
    var seed: UInt64 = 1

    func validate() throws {
        for (name, rate) in [("error-rate", errorRate), ("reset-rate", resetRate), ("hang-rate", hangRate)] where !(0...1).contains(rate) {
            throw ValidationError("--\(name) must be between 0 and 1 (got \(rate))")
        }
        guard errorRate + resetRate + hangRate <= 1 else { throw ValidationError("--error-rate + --reset-rate + --hang-rate must not exceed 1") }
        _ = try latencyRange()
    }

    private func latencyRange() throws -> ClosedRange<Int> {
        let bounds = latencyMs.split(separator: "-").map { Int($0) }
        switch bounds.count {
        case 1: if let value = bounds[0], value >= 0 { return value...value }
        case 2: if let low = bounds[0], let high = bounds[1], 0 <= low, low <= high { return low...high }
        default: break
        }
        throw ValidationError("--latency-ms must be N or LOW-HIGH in milliseconds (got '\(latencyMs)')")
    }

    func run() async throws {
        let address = try HostPort(parsing: listen)
        let faults = FaultProfile(
            errorRate: errorRate, errorStatus: errorStatus, resetRate: resetRate, hangRate: hangRate, hangMillis: hangMs,
            latencyMillis: try latencyRange())
        let backend = DemoBackend(service: service, instance: instance ?? service, faults: faults, seed: seed)
        try await backend.application(host: address.host, port: address.port, logger: Logger(label: "keiro.backend")).runService()
    }
}

/// `keiro bff`: the demo aggregation API.
struct BFFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bff",
        abstract: "Run the demo BFF: GET /aggregate calls search-api, reviews and backend-api through its sidecar.")

    @Option(help: "Address and port to listen on.")
    var listen: String = "127.0.0.1:9001"

    @Option(help: "Base URL of the BFF's sidecar.")
    var sidecar: String = "http://127.0.0.1:15001"

    func run() async throws {
        let address = try HostPort(parsing: listen)
        try await BFFService(sidecar: sidecar)
            .application(client: .shared, host: address.host, port: address.port, logger: Logger(label: "keiro.bff"))
            .runService()
    }
}

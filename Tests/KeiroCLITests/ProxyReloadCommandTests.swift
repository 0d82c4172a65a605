import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Testing

/// `keiro gateway` as a child process: SIGHUP makes it re-read its config file.
@Suite(.timeLimit(.minutes(1))) struct ProxyReloadCommandTests {
    @Test func sighupReloadsTheConfigAndABrokenOneIsRejected() async throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("keiro")
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "built keiro next to the tests: \(executable.path)")
        let directory = NSTemporaryDirectory() + "keiro-sighup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/gateway.yaml"
        func write(prefix: String) throws {
            try """
            kind: Gateway
            routes: [ { name: only, match: { pathPrefix: \(prefix) }, targetGroup: dead } ]
            targetGroups: { dead: [ { name: dead, targets: ["127.0.0.1:1"] } ] }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        }
        try write(prefix: "/a")
        let port = try freePort()
        let log = directory + "/gateway.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["gateway", config, "--listen", "127.0.0.1:\(port)", "--reload-poll", "0"]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        func logText() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        func status(_ path: String) async throws -> Int {
            let (_, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            return (response as? HTTPURLResponse)?.statusCode ?? 0
        }
        #expect(await waitFor { logText().contains("listening on") }, "\(logText())")
        #expect(try await status("/b") == 404)

        try write(prefix: "/b")
        kill(process.processIdentifier, SIGHUP)
        #expect(await waitFor { logText().contains("config reloaded") }, "\(logText())")
        #expect(try await status("/b") == 503, "the new route to a dead target: 503 UF")

        try "routes: [".write(toFile: config, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(await waitFor { logText().contains("config reload rejected") }, "\(logText())")
        #expect(logText().contains("\(config):2:1: error: invalid YAML"))
        #expect(try await status("/b") == 503, "the previous routes stay")
        #expect(process.isRunning)
    }

    private func waitFor(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<250 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// A port nothing listens on right now.
    private func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

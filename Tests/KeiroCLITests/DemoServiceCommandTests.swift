import ArgumentParser
import Testing

@testable import keiro

@Suite struct DemoServiceCommandTests {
    @Test(arguments: [
        (["--service", "s", "--error-rate", "2"], "--error-rate must be between 0 and 1"),
        (["--service", "s", "--error-rate", "0.6", "--reset-rate", "0.6"], "must not exceed 1"),
        (["--service", "s", "--latency-ms", "20-5"], "--latency-ms must be N or LOW-HIGH"),
    ])
    func badFaultSettingsAreRejected(arguments: [String], message: String) {
        #expect {
            _ = try BackendCommand.parse(arguments)
        } throws: { error in
            BackendCommand.message(for: error).contains(message)
        }
    }

    @Test func faultSettingsParse() throws {
        let command = try BackendCommand.parse(["--service", "search-api", "--instance", "canary", "--error-rate", "0.1", "--latency-ms", "5-20"])
        #expect(command.service == "search-api")
        #expect(command.instance == "canary")
        #expect(command.errorRate == 0.1)
    }
}

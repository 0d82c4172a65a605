import KeiroModel
import RoutingCore
import Testing

/// Go/Istio duration syntax in timeouts.
@Suite struct DurationSyntaxTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("5s", .seconds(5)), ("1.5s", .milliseconds(1500)),
        ("1m30s", .seconds(90)), ("2h", .seconds(7200)), ("0.25s", .milliseconds(250)), ("1000us", .milliseconds(1)),
    ])
    func parses(text: String, expected: Duration) throws {
        let yaml = virtualService(http: """
              - route: [{ destination: { host: a } }]
                timeout: "\(text)"
        """)
        #expect(try ConfigLoader.load(yaml: yaml).routeSets[0].routes[0].timeout == expected)
    }

    @Test(arguments: ["5", "s", "-1s", "1.2.3s", "5 s", "1d", ""])
    func rejects(text: String) {
        let errors = configErrors(virtualService(http: """
              - route: [{ destination: { host: a } }]
                timeout: "\(text)"
        """))
        #expect(errors.map(\.code) == [.invalidDuration])
    }
}

import Foundation
import RoutingCore
import TestSupport
import Testing
import Yams

/// `schemas/routing-config.schema.json` accepts every example config and rejects broken ones
/// the loader also rejects.
@Suite struct SchemaTests {
    static func validator() throws -> JSONSchemaValidator {
        // Resolve symlinks so this also works from a package that links the test folder in.
        let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().resolvingSymlinksInPath()
        let url = testsDirectory.appendingPathComponent("../../schemas/routing-config.schema.json").standardizedFileURL
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return JSONSchemaValidator(root: try #require(schema as? [String: Any]))
    }

    static func documents(_ text: String) throws -> [Any] {
        try Yams.load_all(yaml: text).compactMap { $0 }
    }

    @Test(arguments: [
        "edge.yaml", "gateway.yaml", "gateway.json", "endpoints.yaml",
        "sidecar-search.yaml", "sidecar-backend.yaml", "sidecar-reviews.yaml", "sidecar-pr-router.yaml",
    ])
    func examplesValidate(file: String) throws {
        let validator = try Self.validator()
        let documents = try Self.documents(String(contentsOfFile: try Fixture.path(file), encoding: .utf8))
        #expect(!documents.isEmpty)
        for document in documents {
            #expect(validator.validate(document) == [])
        }
    }

    @Test(arguments: [
        // retryOn typo
        ConfigErrorTests.vs("""
            - route: [{ destination: { host: reviews } }]
              retries: { attempts: 2, retryOn: "5xxx" }
        """),
        // unsupported Istio field
        ConfigErrorTests.vs("""
            - route: [{ destination: { host: reviews } }]
              fault: { abort: { httpStatus: 500 } }
        """),
        // empty match block
        ConfigErrorTests.vs("""
            - match: [{}]
              route: [{ destination: { host: reviews } }]
        """),
        // bad duration
        ConfigErrorTests.vs("""
            - route: [{ destination: { host: reviews } }]
              timeout: 5x
        """),
        // ALB weight above 999
        """
        listeners:
          - port: 8080
            rules:
              - priority: 1
                conditions: { path: "/*" }
                forward: { targetGroups: [{ name: a, weight: 1000, targets: ["h:1"] }] }
        """,
        // gateway route without targetGroup
        """
        routes: [{ name: a, match: { pathPrefix: /a } }]
        targetGroups: { a: [{ name: a, targets: ["h:1"] }] }
        """,
    ])
    func brokenConfigsAreRejectedByBoth(yaml: String) throws {
        let validator = try Self.validator()
        let documents = try Self.documents(yaml)
        #expect(documents.contains { !validator.validate($0).isEmpty })
        #expect(!configErrors(yaml).isEmpty)
    }
}

import Foundation
import TestSupport
import Testing
import Yams

/// `schemas/openapi.yaml`, loaded with Yams, with the look-ups the OpenAPI tests need.
struct OpenAPIDocument {
    let root: [String: Any]
    let validator: JSONSchemaValidator

    static let methods = ["get", "put", "post", "delete", "patch", "head", "options"]

    init() throws {
        let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().resolvingSymlinksInPath()
        let url = testsDirectory.appendingPathComponent("../../schemas/openapi.yaml").standardizedFileURL
        root = try #require(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
        validator = JSONSchemaValidator(root: root)
    }

    var paths: [String: [String: Any]] { root["paths"] as? [String: [String: Any]] ?? [:] }

    /// `GET /api/traces`-style names of every documented operation.
    var operations: Set<String> {
        Set(paths.flatMap { path, item in Self.methods.filter { item[$0] != nil }.map { "\($0.uppercased()) \(path)" } })
    }

    func operation(_ method: String, _ path: String) -> [String: Any]? {
        paths[path]?[method.lowercased()] as? [String: Any]
    }

    /// `node`, or what its `$ref` points to.
    func resolved(_ node: Any?) -> [String: Any]? {
        guard let object = node as? [String: Any] else { return nil }
        if let reference = object["$ref"] as? String { return validator.resolve(reference) }
        return object
    }

    /// The documented response of an operation for a status code.
    func response(_ method: String, _ path: String, status: Int) -> [String: Any]? {
        resolved((operation(method, path)?["responses"] as? [String: Any])?[String(status)])
    }

    /// The names of an operation's parameters of one location (`query`, `path`, `header`).
    func parameterNames(_ method: String, _ path: String, in location: String) -> [String] {
        (operation(method, path)?["parameters"] as? [Any] ?? []).compactMap(resolved)
            .filter { $0["in"] as? String == location }.compactMap { $0["name"] as? String }
    }

    /// Every `(where, example, schema)` given for a response body in the document.
    var responseExamples: [(place: String, example: Any, schema: [String: Any])] {
        var found: [(String, Any, [String: Any])] = []
        for (path, item) in paths {
            for method in Self.methods {
                for (status, response) in (item[method] as? [String: Any])?["responses"] as? [String: Any] ?? [:] {
                    for (mediaType, content) in resolved(response)?["content"] as? [String: [String: Any]] ?? [:] {
                        guard let example = content["example"], let schema = resolved(content["schema"]) else { continue }
                        found.append(("\(method) \(path) \(status) \(mediaType)", example, schema))
                    }
                }
            }
        }
        return found
    }

    /// Problems of a real reply against the documented response for its status and media type.
    func check(_ reply: RunningCollector.Reply, _ method: String, _ path: String) -> [String] {
        let place = "\(method) \(path) \(reply.status)"
        guard let response = response(method, path, status: reply.status) else { return ["\(place): status not documented"] }
        if reply.headers["retry-after"] != nil, (response["headers"] as? [String: Any])?["Retry-After"] == nil {
            return ["\(place): Retry-After not documented"]
        }
        guard let contentType = reply.headers["content-type"] else {
            return response["content"] == nil ? [] : ["\(place): no Content-Type, but a body is documented"]
        }
        let mediaType = contentType.split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
        guard let content = (response["content"] as? [String: [String: Any]])?[mediaType] else {
            return ["\(place): \(mediaType) not documented"]
        }
        guard mediaType == "application/json" else { return [] }
        guard let schema = resolved(content["schema"]), let body = try? JSONSchemaValidator.parse(Data(reply.body)) else {
            return ["\(place): no schema, or the body is not JSON"]
        }
        return validator.validate(body, against: schema, at: place)
    }
}

import Foundation
import Yams

/// Loads edge, gateway and sidecar configuration from YAML or JSON (JSON is YAML) into a
/// ``RouteConfig``. A file may hold several documents separated by `---`; endpoints
/// documents from every file given are merged and resolve the destinations of all others.
///
/// Every problem is reported with file, line, column and field path; loading never
/// crashes and never falls back to a default on bad input — it throws ``ConfigErrors``.
public enum ConfigLoader {
    /// A source text and the name to use for it in errors.
    public struct Source: Sendable {
        /// File name or label.
        public var name: String
        /// YAML or JSON text.
        public var text: String

        /// Creates a source.
        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    /// Loads files from disk (the only I/O in RoutingCore).
    public static func load(paths: [String]) throws(ConfigErrors) -> RouteConfig {
        var sources: [Source] = []
        var errors: [ConfigError] = []
        for path in paths {
            do {
                sources.append(Source(name: path, text: try String(contentsOfFile: path, encoding: .utf8)))
            } catch {
                errors.append(ConfigError(code: .unreadable, file: path, line: 0, column: 0, field: "", message: "cannot read the file: \(error.localizedDescription)"))
            }
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return try load(sources)
    }

    /// Loads one text (convenient for tests and for configuration embedded in code).
    public static func load(yaml text: String, name: String = "<memory>") throws(ConfigErrors) -> RouteConfig {
        try load([Source(name: name, text: text)])
    }

    /// Loads several sources as one configuration.
    public static func load(_ sources: [Source]) throws(ConfigErrors) -> RouteConfig {
        let diagnostics = Diagnostics()
        var documents: [ConfigNode] = []
        for source in sources {
            documents += compose(source, diagnostics: diagnostics)
        }
        var endpoints = Endpoints()
        var haveEndpoints = false
        var routeDocuments: [(ConfigNode, DocumentKind)] = []
        for document in documents {
            guard let kind = DocumentKind(of: document) else { continue }
            if kind == .endpoints {
                EndpointsParser.parse(document, into: &endpoints)
                haveEndpoints = true
            } else {
                routeDocuments.append((document, kind))
            }
        }
        let resolver = DestinationResolver(endpoints: haveEndpoints ? endpoints : nil)
        var routeSets: [RouteSet] = []
        for (document, kind) in routeDocuments {
            switch kind {
            case .virtualService: routeSets += VirtualServiceParser(resolver: resolver).parse(document).map { [$0] } ?? []
            case .gateway: routeSets += GatewayParser.parse(document).map { [$0] } ?? []
            case .edge: routeSets += EdgeParser.parse(document) ?? []
            case .endpoints: break
            }
        }
        if diagnostics.errors.isEmpty, routeSets.isEmpty {
            let name = sources.first?.name ?? "<none>"
            diagnostics.record(.unknownDocument, at: SourceLocation(file: name, line: 1, column: 1), field: "", "no routes found; give a VirtualService, Gateway or Edge document")
        }
        guard diagnostics.errors.isEmpty else { throw ConfigErrors(diagnostics.errors) }
        return RouteConfig(routeSets: routeSets, endpoints: haveEndpoints ? endpoints : nil)
    }

    /// Parses every document of `source`, recording syntax errors with their position.
    private static func compose(_ source: Source, diagnostics: Diagnostics) -> [ConfigNode] {
        do {
            var nodes: [ConfigNode] = []
            var sequence = try compose_all(yaml: source.text)
            while let node = sequence.next() {
                if node.null == nil {  // skip empty documents (a trailing `---`)
                    nodes.append(.root(node, file: source.name, diagnostics: diagnostics))
                }
            }
            if let error = sequence.error { throw error }
            return nodes
        } catch {
            let (location, message) = describe(error, file: source.name)
            diagnostics.record(code(of: error), at: location, field: "", message)
            return []
        }
    }

    private static func code(of error: any Error) -> ConfigError.Code {
        if case .duplicatedKeysInMapping = error as? YamlError { return .duplicate }
        return .syntax
    }

    private static func describe(_ error: any Error, file: String) -> (SourceLocation, String) {
        switch error as? YamlError {
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return (SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                    "key \(keys) is given more than once in one mapping")
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return (SourceLocation(file: file, line: mark.line, column: mark.column), "invalid YAML/JSON: \(prefix)\(problem)")
        default:
            return (SourceLocation(file: file, line: 0, column: 0), "invalid YAML/JSON: \(error)")
        }
    }
}

/// What a document is, from `apiVersion`/`kind` or, for Keiro's own shapes without a
/// `kind`, from its top-level keys.
enum DocumentKind {
    case virtualService, gateway, edge, endpoints

    private static let istioVersions = ["networking.istio.io/v1alpha3", "networking.istio.io/v1beta1", "networking.istio.io/v1"]
    private static let keiroVersion = "keiro.dev/v1"

    /// Classifies `document`, recording an error when it cannot.
    init?(of document: ConfigNode) {
        guard let mapping = document.node.mapping else {
            document.fail(.unknownDocument, "a configuration document must be a mapping")
            return nil
        }
        let kindNode = mapping["kind"].map { ConfigNode(node: $0, path: "kind", file: document.file, diagnostics: document.diagnostics) }
        let apiVersion = mapping["apiVersion"]?.scalar?.string
        switch kindNode?.node.scalar?.string {
        case "VirtualService":
            guard let apiVersion, Self.istioVersions.contains(apiVersion) else {
                document.fail(.unknownDocument, "a VirtualService needs apiVersion \(Self.istioVersions.joined(separator: ", ")); found \(apiVersion ?? "none")")
                return nil
            }
            self = .virtualService
        case "Endpoints":
            guard apiVersion == Self.keiroVersion else {
                document.fail(.unknownDocument, "Keiro's Endpoints document needs apiVersion \(Self.keiroVersion); found \(apiVersion ?? "none")")
                return nil
            }
            self = .endpoints
        case "Gateway" where apiVersion == nil || apiVersion == Self.keiroVersion: self = .gateway
        case "Edge" where apiVersion == nil || apiVersion == Self.keiroVersion: self = .edge
        case nil where mapping["listeners"] != nil: self = .edge
        case nil where mapping["routes"] != nil: self = .gateway
        case let other:
            let known = ["VirtualService", "Gateway", "Edge", "Endpoints"]
            let hint = other.map { Suggestion.hint(for: $0, in: known) } ?? ""
            let found = other.map { "kind '\($0)'\(apiVersion.map { " (\($0))" } ?? "")" } ?? "neither kind nor listeners/routes"
            (kindNode ?? document).fail(.unknownDocument, "cannot tell what this document is: found \(found)\(hint); expected kind VirtualService (networking.istio.io), or Keiro's Edge, Gateway or Endpoints (keiro.dev/v1)")
            return nil
        }
    }
}

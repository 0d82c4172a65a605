/// Reads Keiro's API-gateway shape (see `docs/ROUTING.md`):
///
/// ```yaml
/// kind: Gateway
/// routes:
///   - name: search
///     match: { pathPrefix: /search }
///     targetGroup: search-api
///     timeout: 5s
///     retries: { attempts: 2, perTryTimeout: 2s, retryOn: "5xx,connect-failure" }
/// targetGroups:
///   search-api:
///     - { name: search-api-primary, weight: 90, targets: ["127.0.0.1:9101"] }
/// ```
enum GatewayParser {
    private static let matchFields: Set<String> = [
        "path", "pathPrefix", "pathRegex", "ignoreCase", "methods", "headers", "withoutHeaders", "queryParams",
    ]

    static func parse(_ root: ConfigNode) -> RouteSet? {
        guard let top = root.fields(allowed: ["apiVersion", "kind", "name", "port", "routes", "targetGroups"]) else { return nil }
        let port = top["port"]?.int(in: 1...65535)
        guard let groupsNode = top.required("targetGroups", in: root), let groupEntries = groupsNode.entries(),
              let routesNode = top.required("routes", in: root), let routeItems = routesNode.items()
        else { return nil }
        var groups: [String: [WeightedDestination]] = [:]
        for (name, node) in groupEntries {
            groups[name] = TargetGroupParser.parse(node, weights: 0...Int(Int32.max))
        }
        if routeItems.isEmpty { routesNode.fail(.invalidValue, "list at least one route") }
        var names = Set<String>()
        let routes = routeItems.compactMap { parseRoute($0, groups: groups, definedGroups: groupEntries.map(\.key), names: &names) }
        guard routes.count == routeItems.count, groups.count == groupEntries.count, groups.values.allSatisfy({ !$0.isEmpty })
        else { return nil }
        return RouteSet(
            kind: .gateway, name: top["name"]?.string() ?? "gateway", port: port, routes: routes, location: root.location
        )
    }

    private static func parseRoute(
        _ node: ConfigNode, groups: [String: [WeightedDestination]], definedGroups: [String], names: inout Set<String>
    ) -> Route? {
        let allowed: Set<String> = ["name", "match", "targetGroup", "timeout", "retries", "stickiness"]
        guard let fields = node.fields(allowed: allowed) else { return nil }
        var ok = fields.count == (node.node.mapping?.count ?? 0)
        let name = fields["name"]?.string()
        if let name, let nameNode = fields["name"], !names.insert(name).inserted {
            nameNode.fail(.duplicate, "route name '\(name)' is used twice")
            ok = false
        }
        var matches: [RouteMatch] = []
        if let matchNode = fields["match"] {
            let blocks = matchNode.node.sequence != nil ? matchNode.items() ?? [] : [matchNode]
            matches = blocks.compactMap(parseMatch)
            ok = ok && matches.count == blocks.count
        }
        var destinations: [WeightedDestination] = []
        if let groupNode = fields.required("targetGroup", in: node), let group = groupNode.nonEmptyString() {
            if let found = groups[group] {
                destinations = found
            } else if !definedGroups.contains(group) {
                let hint = Suggestion.hint(for: group, in: definedGroups)
                groupNode.fail(.unknownReference, "targetGroup '\(group)' is not defined in targetGroups\(hint)")
                ok = false
            }
        } else {
            ok = false
        }
        let (retries, retriesSource, timeout, policiesOK) = RetryPolicyParser.routePolicies(fields)
        ok = ok && policiesOK
        var stickiness: Stickiness?
        if let stickyNode = fields["stickiness"] {
            stickiness = TargetGroupParser.stickiness(stickyNode)
            ok = ok && stickiness != nil
        }
        guard ok, !destinations.isEmpty else { return nil }
        return Route(
            name: name, matches: matches, destinations: destinations, retries: retries,
            retriesSource: retriesSource, timeout: timeout, stickiness: stickiness, location: node.location
        )
    }

    private static func parseMatch(_ node: ConfigNode) -> RouteMatch? {
        guard let fields = node.fields(allowed: matchFields) else { return nil }
        var ok = fields.count == (node.node.mapping?.count ?? 0)
        var ignoreCase = false
        if let flag = fields["ignoreCase"] {
            if let value = flag.bool() { ignoreCase = value } else { ok = false }
        }
        var match = RouteMatch()
        let pathKeys = ["path", "pathPrefix", "pathRegex"].filter { fields[$0] != nil }
        if pathKeys.count > 1 {
            node.fail(.invalidStringMatch, "give at most one of path, pathPrefix, pathRegex; found \(pathKeys.joined(separator: " and "))")
            return nil
        }
        if let key = pathKeys.first, let valueNode = fields[key], let text = valueNode.string() {
            switch key {
            case "path": match.uri = .exact(text, ignoringCase: ignoreCase)
            case "pathPrefix": match.uri = .prefix(text, ignoringCase: ignoreCase)
            default: match.uri = StringMatchParser.regex(text, at: valueNode)
            }
            ok = ok && match.uri != nil
        }
        if let methodsNode = fields["methods"] {
            if let methods = methodsNode.stringList(), !methods.isEmpty {
                match.method = methods.count == 1 ? .exact(methods[0]) : StringMatchParser.regex(
                    methods.map(MatchRegex.escaped).joined(separator: "|"), at: methodsNode
                )
            } else {
                ok = false
            }
        }
        match.headers = parameters(fields["headers"], ok: &ok, lowercase: true)
        match.withoutHeaders = parameters(fields["withoutHeaders"], ok: &ok, lowercase: true)
        match.queryParams = parameters(fields["queryParams"], ok: &ok, lowercase: false)
        if ok, match.isEmpty {
            node.fail(.emptyMatch, "an empty match block is invalid; remove 'match' to match every request")
            return nil
        }
        return ok ? match : nil
    }

    private static func parameters(_ node: ConfigNode?, ok: inout Bool, lowercase: Bool) -> [RouteMatch.Parameter] {
        guard let node else { return [] }
        guard let entries = node.entries() else {
            ok = false
            return []
        }
        return entries.compactMap { name, value in
            let options = StringMatchParser.Options(allowPresent: lowercase, allowShorthand: true)
            guard let match = StringMatchParser.parse(value, options) else {
                ok = false
                return nil
            }
            return .init(name: lowercase ? name.lowercased() : name, match: match)
        }
    }
}

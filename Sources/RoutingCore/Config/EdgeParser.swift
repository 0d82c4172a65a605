/// Reads Keiro's ALB-like edge shape (see `docs/ROUTING.md`): listeners with rules
/// evaluated by ascending priority, each forwarding to weighted target groups (0–999).
///
/// Conditions follow ALB: `path`, `host` and header/query values accept `*` and `?`
/// wildcards; paths are case-sensitive, host/header/query values are not; several values
/// of one condition are OR-ed, different conditions are AND-ed; at most 5 values per rule.
enum EdgeParser {
    private static let maxConditionValues = 5

    static func parse(_ root: ConfigNode) -> [RouteSet]? {
        guard let top = root.fields(allowed: ["apiVersion", "kind", "name", "listeners"]),
              let listenersNode = top.required("listeners", in: root), let listeners = listenersNode.items()
        else { return nil }
        if listeners.isEmpty { listenersNode.fail(.invalidValue, "list at least one listener") }
        var ports = Set<Int>()
        let sets = listeners.compactMap { listener -> RouteSet? in
            guard let set = parseListener(listener) else { return nil }
            if let port = set.port, !ports.insert(port).inserted {
                listener.fail(.duplicate, "port \(port) has two listeners")
                return nil
            }
            return set
        }
        return sets.count == listeners.count ? sets : nil
    }

    private static func parseListener(_ node: ConfigNode) -> RouteSet? {
        guard let fields = node.fields(allowed: ["port", "rules", "defaultAction", "accessLog"]),
              let port = fields.required("port", in: node)?.int(in: 1...65535),
              let rulesNode = fields.required("rules", in: node), let rules = rulesNode.items()
        else { return nil }
        var priorities: [Int: ConfigNode] = [:]
        var parsed: [(priority: Int, route: Route)] = []
        for rule in rules {
            guard let (priority, route) = parseRule(rule) else { continue }
            if priorities[priority] != nil {
                rule.fail(.duplicate, "priority \(priority) is used by two rules; ALB priorities are unique")
                continue
            }
            priorities[priority] = rule
            parsed.append((priority, route))
        }
        var routes = parsed.sorted { $0.priority < $1.priority }.map(\.route)
        if let actionNode = fields["defaultAction"] {
            guard let action = actionNode.fields(allowed: ["forward"]),
                  let forwardNode = action.required("forward", in: actionNode),
                  let route = parseForward(forwardNode, name: "default", matches: [], location: actionNode.location)
            else { return nil }
            routes.append(route)
        }
        var accessLog: AccessLogSettings?
        if let logNode = fields["accessLog"] {
            guard let settings = parseAccessLog(logNode) else { return nil }
            accessLog = settings
        }
        guard parsed.count == rules.count else { return nil }
        return RouteSet(kind: .edge, name: "listener :\(port)", port: port, routes: routes, accessLog: accessLog, location: node.location)
    }

    private static func parseRule(_ node: ConfigNode) -> (Int, Route)? {
        guard let fields = node.fields(allowed: ["priority", "conditions", "forward"]),
              let priority = fields.required("priority", in: node)?.int(in: 1...50_000),
              let conditionsNode = fields.required("conditions", in: node),
              let matches = parseConditions(conditionsNode),
              let forwardNode = fields.required("forward", in: node),
              let route = parseForward(forwardNode, name: "priority \(priority)", matches: matches, location: node.location)
        else { return nil }
        return (priority, route)
    }

    /// Reads a `forward` action (of a rule or of `defaultAction`).
    private static func parseForward(
        _ forwardNode: ConfigNode, name: String, matches: [RouteMatch], location: SourceLocation
    ) -> Route? {
        guard let forward = forwardNode.fields(allowed: ["targetGroups", "stickiness"]),
              let groupsNode = forward.required("targetGroups", in: forwardNode),
              let destinations = TargetGroupParser.parse(groupsNode, weights: 0...999)
        else { return nil }
        var stickiness: Stickiness?
        if let stickyNode = forward["stickiness"] {
            guard let value = TargetGroupParser.stickiness(stickyNode) else { return nil }
            stickiness = value
        }
        return Route(
            name: name, matches: matches, destinations: destinations, retries: .disabled,
            retriesSource: .notApplicable, timeout: nil, stickiness: stickiness, location: location
        )
    }

    /// ALB conditions as OR-of-AND match blocks (the cross product of each condition's values).
    private static func parseConditions(_ node: ConfigNode) -> [RouteMatch]? {
        guard let fields = node.fields(allowed: ["path", "method", "host", "header", "query"]) else { return nil }
        guard fields.count == (node.node.mapping?.count ?? 0) else { return nil }
        if fields.isEmpty {
            node.fail(.emptyMatch, "a rule needs at least one condition; use the listener's defaultAction for everything else")
            return nil
        }
        // Each condition contributes alternatives that edit a match block.
        var alternatives: [[(inout RouteMatch) -> Void]] = []
        var valueCount = 0
        var ok = true
        func add(_ values: [StringMatch]?, count: Int, _ apply: @escaping (inout RouteMatch, StringMatch) -> Void) {
            guard let values else {
                ok = false
                return
            }
            valueCount += count
            alternatives.append(values.map { value in { apply(&$0, value) } })
        }
        if let pathNode = fields["path"], let paths = pathNode.stringList() {
            add(globs(paths, ignoringCase: false, at: pathNode), count: paths.count) { $0.uri = $1 }
        }
        if let methodNode = fields["method"], let methods = methodNode.stringList() {
            add(methods.map { .exact($0) }, count: methods.count) { $0.method = $1 }
        }
        if let hostNode = fields["host"], let hosts = hostNode.stringList() {
            add(globs(hosts, ignoringCase: true, at: hostNode), count: hosts.count) { $0.authority = $1 }
        }
        if let headerNode = fields["header"], let header = headerNode.fields(allowed: ["name", "values"]),
           let name = header.required("name", in: headerNode)?.nonEmptyString(),
           let valuesNode = header.required("values", in: headerNode), let values = valuesNode.stringList() {
            add(globs(values, ignoringCase: true, at: valuesNode), count: values.count) {
                $0.headers.append(.init(name: name.lowercased(), match: $1))
            }
        } else if fields["header"] != nil {
            ok = false
        }
        if let queryNode = fields["query"], let pairs = queryNode.entries() {
            // Several key/value pairs are OR-ed, as in ALB.
            var matches: [(String, StringMatch)] = []
            for (key, valueNode) in pairs {
                guard let text = valueNode.string(), let match = StringMatchParser.glob(text, ignoringCase: true, at: valueNode)
                else { continue }
                matches.append((key, match))
            }
            if matches.count == pairs.count {
                valueCount += pairs.count
                alternatives.append(matches.map { key, match in { $0.queryParams.append(.init(name: key, match: match)) } })
            } else {
                ok = false
            }
        } else if fields["query"] != nil {
            ok = false
        }
        guard ok else { return nil }
        guard valueCount <= maxConditionValues else {
            node.fail(.invalidValue, "a rule allows at most \(maxConditionValues) condition values (as ALB does); found \(valueCount)")
            return nil
        }
        return alternatives.reduce([RouteMatch()]) { blocks, options in
            blocks.flatMap { block in
                options.map { edit in
                    var copy = block
                    edit(&copy)
                    return copy
                }
            }
        }
    }

    private static func globs(_ patterns: [String], ignoringCase: Bool, at node: ConfigNode) -> [StringMatch]? {
        let matches = patterns.compactMap { StringMatchParser.glob($0, ignoringCase: ignoringCase, at: node) }
        return matches.count == patterns.count ? matches : nil
    }

    private static func parseAccessLog(_ node: ConfigNode) -> AccessLogSettings? {
        guard let fields = node.fields(allowed: ["dir", "rotateSeconds", "rotateBytes", "gzip"]),
              let directory = fields.required("dir", in: node)?.nonEmptyString()
        else { return nil }
        var settings = AccessLogSettings(directory: directory)
        if let rotate = fields["rotateSeconds"] {
            guard let seconds = rotate.int(in: 1...86_400) else { return nil }
            settings.rotateSeconds = seconds
        }
        if let rotate = fields["rotateBytes"] {
            guard let bytes = rotate.int(in: 1024...(1 << 40)) else { return nil }
            settings.rotateBytes = bytes
        }
        if let gzip = fields["gzip"] {
            guard let value = gzip.bool() else { return nil }
            settings.gzip = value
        }
        return settings
    }
}

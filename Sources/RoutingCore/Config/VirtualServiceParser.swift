/// Reads an Istio `VirtualService` (networking.istio.io v1alpha3/v1beta1/v1) exactly as an
/// Istio user writes it. Fields Keiro does not implement are rejected, not ignored.
struct VirtualServiceParser {
    let resolver: DestinationResolver

    /// Annotation keys that turn on sticky weighted choice for every route of the service.
    static let stickyHeaderAnnotation = "keiro.dev/sticky-header"
    static let stickyCookieAnnotation = "keiro.dev/sticky-cookie"

    private static let unsupportedRouteFields = [
        "redirect": "redirects are not implemented", "directResponse": "direct responses are not implemented",
        "delegate": "delegation is not implemented", "rewrite": "rewrites are not implemented",
        "fault": "fault injection lives in Keiro's demo services, not in routes",
        "mirror": "mirroring is not implemented", "mirrors": "mirroring is not implemented",
        "mirrorPercent": "mirroring is not implemented", "mirrorPercentage": "mirroring is not implemented",
        "corsPolicy": "CORS is not implemented", "headers": "header manipulation is not implemented",
    ]

    func parse(_ root: ConfigNode) -> RouteSet? {
        guard let top = root.fields(allowed: ["apiVersion", "kind", "metadata", "spec", "status"]) else { return nil }
        var name = "virtualservice", namespace: String?, stickiness: Stickiness?
        if let metadata = top.required("metadata", in: root), let fields = metadata.entries() {
            let byKey = Dictionary(fields, uniquingKeysWith: { first, _ in first })
            if let node = byKey.required("name", in: metadata), let value = node.nonEmptyString() { name = value }
            namespace = byKey["namespace"]?.string()
            if let annotations = byKey["annotations"]?.entries() {
                stickiness = Self.stickiness(from: annotations)
            }
        }
        guard let specNode = top.required("spec", in: root) else { return nil }
        let unsupportedSpec = [
            "tcp": "Keiro routes HTTP only", "tls": "Keiro routes HTTP only",
        ]
        guard let spec = specNode.fields(allowed: ["hosts", "gateways", "http", "exportTo"], unsupported: unsupportedSpec)
        else { return nil }
        let hosts = spec.required("hosts", in: specNode)?.stringList() ?? []
        if let hostsNode = spec["hosts"], hosts.isEmpty, hostsNode.node.sequence?.isEmpty == true {
            hostsNode.fail(.invalidValue, "list at least one host")
        }
        _ = spec["gateways"]?.stringList()
        _ = spec["exportTo"]?.stringList()
        guard let httpNode = spec.required("http", in: specNode), let items = httpNode.items() else { return nil }
        if items.isEmpty { httpNode.fail(.invalidValue, "list at least one http route") }
        let routes = items.compactMap { parseRoute($0, stickiness: stickiness) }
        guard routes.count == items.count else { return nil }
        return RouteSet(kind: .sidecar, name: name, namespace: namespace, hosts: hosts, routes: routes, location: root.location)
    }

    private static func stickiness(from annotations: [(key: String, value: ConfigNode)]) -> Stickiness? {
        for (key, value) in annotations {
            if key == stickyHeaderAnnotation, let name = value.nonEmptyString() { return .header(name.lowercased()) }
            if key == stickyCookieAnnotation, let name = value.nonEmptyString() { return .cookie(name) }
        }
        return nil
    }

    private func parseRoute(_ node: ConfigNode, stickiness: Stickiness?) -> Route? {
        guard let fields = node.fields(allowed: ["name", "match", "route", "retries", "timeout"], unsupported: Self.unsupportedRouteFields)
        else { return nil }
        var ok = true
        let name = fields["name"]?.string()
        var matches: [RouteMatch] = []
        if let matchNode = fields["match"], let items = matchNode.items() {
            matches = items.compactMap(parseMatch)
            ok = ok && matches.count == items.count
        }
        var destinations: [WeightedDestination] = []
        if let routeNode = fields.required("route", in: node), let items = routeNode.items() {
            if items.isEmpty { routeNode.fail(.invalidValue, "list at least one destination") }
            destinations = items.compactMap(parseDestination)
            ok = ok && destinations.count == items.count && !items.isEmpty
                && DestinationResolver.checkWeights(&destinations, at: routeNode)
        } else {
            ok = false
        }
        let (retries, retriesSource, timeout, policiesOK) = RetryPolicyParser.routePolicies(fields)
        ok = ok && policiesOK
        guard ok else { return nil }
        return Route(
            name: name, matches: matches, destinations: destinations, retries: retries,
            retriesSource: retriesSource, timeout: timeout, stickiness: stickiness, location: node.location
        )
    }

    private func parseMatch(_ node: ConfigNode) -> RouteMatch? {
        let unsupported = [
            "port": "Keiro matches on HTTP attributes only", "sourceLabels": "Keiro has no workload labels",
            "gateways": "Keiro has no gateway binding", "sourceNamespace": "Keiro has no namespaces for sources",
            "statPrefix": "Keiro has no Envoy stats",
        ]
        let allowed: Set<String> = [
            "name", "uri", "scheme", "method", "authority", "headers", "withoutHeaders", "queryParams", "ignoreUriCase",
        ]
        guard let fields = node.fields(allowed: allowed, unsupported: unsupported) else { return nil }
        var ok = fields.count == (node.node.mapping?.count ?? 0)
        var match = RouteMatch(name: fields["name"]?.string())
        var ignoreCase = false
        if let flag = fields["ignoreUriCase"] {
            if let value = flag.bool() { ignoreCase = value } else { ok = false }
        }
        func string(_ key: String, _ options: StringMatchParser.Options = .init()) -> StringMatch? {
            guard let field = fields[key] else { return nil }
            let value = StringMatchParser.parse(field, options)
            ok = ok && value != nil
            return value
        }
        match.uri = string("uri", .init(ignoringCase: ignoreCase))
        match.scheme = string("scheme")
        match.method = string("method")
        match.authority = string("authority")
        match.headers = parameters(fields["headers"], headers: true, ok: &ok)
        match.withoutHeaders = parameters(fields["withoutHeaders"], headers: true, ok: &ok)
        match.queryParams = parameters(fields["queryParams"], headers: false, ok: &ok)
        if ok, match.isEmpty {
            node.fail(.emptyMatch, "an empty match block is invalid; remove the block to match every request")
            return nil
        }
        return ok ? match : nil
    }

    private func parameters(_ node: ConfigNode?, headers: Bool, ok: inout Bool) -> [RouteMatch.Parameter] {
        guard let node else { return [] }
        guard let entries = node.entries() else {
            ok = false
            return []
        }
        var result: [RouteMatch.Parameter] = []
        for (name, value) in entries {
            if headers, ["uri", "scheme", "method", "authority"].contains(name.lowercased()) {
                value.fail(.invalidValue, "Istio ignores '\(name)' as a header match; use the match block's '\(name)' field")
                ok = false
                continue
            }
            let options = StringMatchParser.Options(allowPresent: headers, allowPrefix: headers)
            guard let match = StringMatchParser.parse(value, options) else {
                ok = false
                continue
            }
            result.append(.init(name: headers ? name.lowercased() : name, match: match))
        }
        return result
    }

    private func parseDestination(_ node: ConfigNode) -> WeightedDestination? {
        let unsupported = ["headers": "header manipulation is not implemented"]
        guard let fields = node.fields(allowed: ["destination", "weight"], unsupported: unsupported),
              let destinationNode = fields.required("destination", in: node),
              let destination = destinationNode.fields(allowed: ["host", "subset", "port"])
        else { return nil }
        var weight = 0
        if let weightNode = fields["weight"] {
            guard let value = weightNode.int() else { return nil }
            guard value >= 0 else {
                weightNode.fail(.invalidWeight, "weight must be ≥ 0, found \(value)")
                return nil
            }
            weight = value
        }
        guard let hostNode = destination.required("host", in: destinationNode), let host = hostNode.nonEmptyString()
        else { return nil }
        let subset = destination["subset"]?.nonEmptyString()
        if destination["subset"] != nil, subset == nil { return nil }
        var port: Int?
        if let portNode = destination["port"] {
            guard let portFields = portNode.fields(allowed: ["number"]),
                  let number = portFields.required("number", in: portNode)?.int(in: 1...65535)
            else { return nil }
            port = number
        }
        guard let addresses = resolver.addresses(host: host, subset: subset, at: destination["subset"] ?? hostNode)
        else { return nil }
        return WeightedDestination(
            destination: Destination(host: host, subset: subset, port: port, addresses: addresses),
            weight: weight, location: node.location
        )
    }
}

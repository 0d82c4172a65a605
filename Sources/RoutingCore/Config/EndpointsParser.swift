/// Reads Keiro's endpoints document, which maps hosts (and Istio subsets) to addresses:
///
/// ```yaml
/// apiVersion: keiro.dev/v1
/// kind: Endpoints
/// hosts:
///   search-api.searchns.svc.cluster.local:
///     addresses: ["127.0.0.1:9100"]
///     subsets:
///       primary: ["127.0.0.1:9101"]
///       canary: ["127.0.0.1:9102"]
/// ```
enum EndpointsParser {
    static func parse(_ root: ConfigNode, into endpoints: inout Endpoints) {
        guard let top = root.fields(allowed: ["apiVersion", "kind", "hosts"]),
              let hostsNode = top.required("hosts", in: root), let hosts = hostsNode.entries()
        else { return }
        for (host, node) in hosts {
            guard let fields = node.fields(allowed: ["addresses", "subsets"]) else { continue }
            let addresses = fields["addresses"]?.stringList() ?? []
            var subsets: [String: [String]] = [:]
            for (subset, subsetNode) in fields["subsets"]?.entries() ?? [] {
                if let list = subsetNode.stringList(), !list.isEmpty {
                    subsets[subset] = list
                } else {
                    subsetNode.fail(.invalidValue, "subset '\(subset)' needs at least one address")
                }
            }
            if addresses.isEmpty, subsets.isEmpty {
                node.fail(.invalidValue, "host '\(host)' needs addresses or subsets")
                continue
            }
            if endpoints.hosts[host] != nil {
                node.fail(.duplicate, "host '\(host)' is defined twice in the endpoints sections")
                continue
            }
            endpoints.hosts[host] = Endpoints.Host(addresses: addresses, subsets: subsets)
        }
    }
}

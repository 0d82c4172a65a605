/// Reads weighted target lists, the shape edge and gateway share:
/// `[{ name: gateway-primary, weight: 90, targets: ["127.0.0.1:8081"] }, …]`.
enum TargetGroupParser {
    /// Parses the list at `node`; weights must lie in `weights` (ALB: 0–999).
    static func parse(_ node: ConfigNode, weights: ClosedRange<Int>) -> [WeightedDestination]? {
        guard let items = node.items() else { return nil }
        if items.isEmpty {
            node.fail(.invalidValue, "list at least one target group")
            return nil
        }
        var names = Set<String>()
        var result: [WeightedDestination] = []
        for item in items {
            guard let fields = item.fields(allowed: ["name", "weight", "targets"]),
                  let nameNode = fields.required("name", in: item), let name = nameNode.nonEmptyString(),
                  let targetsNode = fields.required("targets", in: item), let targets = targetsNode.stringList()
            else { continue }
            var weight = 100
            if let weightNode = fields["weight"] {
                guard let value = weightNode.int(in: weights, code: .invalidWeight) else { continue }
                weight = value
            }
            if !names.insert(name).inserted {
                nameNode.fail(.duplicate, "target group '\(name)' is listed twice")
                continue
            }
            guard targets.allSatisfy({ isAddress($0, at: targetsNode) }) else { continue }
            if targets.isEmpty {
                targetsNode.fail(.invalidValue, "list at least one target (host:port)")
                continue
            }
            result.append(WeightedDestination(destination: Destination(host: name, addresses: targets), weight: weight, location: item.location))
        }
        guard result.count == items.count, DestinationResolver.checkWeights(&result, at: node) else { return nil }
        return result
    }

    /// `host:port` with a port in 1–65535.
    private static func isAddress(_ text: String, at node: ConfigNode) -> Bool {
        if let colon = text.lastIndex(of: ":"), colon != text.startIndex,
           let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) {
            return true
        }
        node.fail(.invalidValue, "target '\(text)' is not host:port")
        return false
    }

    /// Reads `stickiness: { header: x-user-id }` or `{ cookie: session }`.
    static func stickiness(_ node: ConfigNode) -> Stickiness? {
        guard let fields = node.fields(allowed: ["header", "cookie"]) else { return nil }
        guard fields.count == 1, let (kind, value) = fields.first, let name = value.nonEmptyString() else {
            if fields.count != 1 { node.fail(.invalidValue, "give exactly one of header, cookie") }
            return nil
        }
        return kind == "header" ? .header(name.lowercased()) : .cookie(name)
    }
}

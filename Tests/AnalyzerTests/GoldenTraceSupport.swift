import Analyzer
import KeiroModel

/// A span of a hand-built golden trace: times in milliseconds from `base`, HTTP status as
/// `http.response.status_code` (ERROR status from 500 up, or with an `error.type`), the
/// service's host as resource `host.name` (default: one host per service).
func golden(
    _ id: UInt64, _ parent: UInt64?, _ service: String, _ name: String, _ kind: SpanKind, _ from: UInt64, _ to: UInt64,
    status: Int? = nil, _ attributes: [(String, AttributeValue)] = [], trace: TraceID = trace, host: String? = nil, base: UInt64 = 0
) -> AnalyzedSpan {
    var all = attributes.map { Attribute($0.0, $0.1) }
    if let status { all.insert(Attribute(SemanticAttributes.httpResponseStatusCode, .int(Int64(status))), at: 0) }
    let failed = (status ?? 0) >= 500 || all["error.type"] != nil
    let resource = Resource(attributes: [
        Attribute(SemanticAttributes.serviceName, .string(service)), Attribute("host.name", .string(host ?? "\(service)-host")),
    ])
    return AnalyzedSpan(
        span: Span(
            traceID: trace, spanID: SpanID(id), parentSpanID: parent.map(SpanID.init), name: name, kind: kind,
            startTimeUnixNano: (base + from) * ms, endTimeUnixNano: (base + to) * ms, attributes: all,
            status: SpanStatus(code: failed ? .error : .unset)),
        service: service, resource: resource)
}

/// Keiro's routing attributes as a proxy writes them on its SERVER and CLIENT spans.
func routed(_ destination: String, subset: String? = nil, route: String? = nil, decision: String = "weight") -> [(String, AttributeValue)] {
    var attributes: [(String, AttributeValue)] = [(KeiroAttributes.destinationHost, .string(destination))]
    if let route { attributes.append((KeiroAttributes.routeName, .string(route))) }
    if let subset { attributes.append((KeiroAttributes.destinationSubset, .string(subset))) }
    attributes.append((KeiroAttributes.routingDecision, .string(decision)))
    return attributes
}

extension TraceTree {
    /// The node of span `id` (the SERVER half when Envoy shared the id).
    func index(of id: UInt64, kind: SpanKind? = nil) -> Int {
        nodes.indices.first { nodes[$0].span.spanID == SpanID(id) && (kind == nil || nodes[$0].span.kind == kind) }!
    }

    /// `name@offset-end` in milliseconds for every node in tree order, indented by depth.
    var outline: [String] {
        depthFirstOrder.map { index in
            let node = nodes[index]
            return String(repeating: "  ", count: path(to: index).count - 1)
                + "\(node.service): \(node.span.name) \(node.span.startTimeUnixNano / ms)-\(node.span.endTimeUnixNano / ms)"
        }
    }
}

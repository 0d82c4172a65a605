import KeiroModel

/// What a span is on the request path: the hop (edge → gateway → BFF → backend) and the
/// role of the process that reported it.
public struct Hop: Sendable, Hashable, CustomStringConvertible {
    /// The kind of process on the request path.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        /// An AWS ALB (its access-log span).
        case loadBalancer = "load-balancer"
        /// The ALB-like edge proxy.
        case edge
        /// The API gateway.
        case gateway
        /// A sidecar (Keiro's, Envoy/istio-proxy).
        case sidecar
        /// A Keiro proxy whose service name does not say which kind.
        case proxy
        /// An application service (BFF, backends).
        case service
        /// A placeholder for a span that is not stored.
        case unknown
    }

    public var role: Role
    /// The reporting service (`service.name`).
    public var service: String

    public init(role: Role, service: String) {
        self.role = role
        self.service = service
    }

    /// Derives the role: an ALB access-log span (resource `cloud.platform` = `aws_elb`, or
    /// the span's `aws.elb.*` attributes) is the load balancer; otherwise a word of the
    /// service name says `sidecar`/`envoy`/`istio-proxy`, `…gateway`/`ingress` or `edge`; a span carrying
    /// Keiro's routing attributes under another name is a proxy; anything else a service.
    init(_ input: AnalyzedSpan) {
        service = input.service
        let attributes = input.span.attributes
        // Words of the name, so that `knowledge-api` is not an edge.
        let words = input.service.lowercased().split { !$0.isLetter && !$0.isNumber }
        if input.resource.attributes["cloud.platform"]?.stringValue == "aws_elb" || attributes["aws.elb.trace_id"] != nil {
            role = .loadBalancer
        } else if words.contains("sidecar") || words.contains("envoy") || input.service.lowercased().contains("istio-proxy") {
            role = .sidecar
        } else if words.contains(where: { $0.hasSuffix("gateway") }) || words.contains("ingress") {
            role = .gateway
        } else if words.contains("edge") {
            role = .edge
        } else if attributes[KeiroAttributes.requestID] != nil || attributes[KeiroAttributes.destinationHost] != nil {
            role = .proxy
        } else {
            role = .service
        }
    }

    /// The service name, with the role when the name does not already say it
    /// (`gateway-canary`, `bff`, `app/my-lb/50dc6c495c0c9188 (load-balancer)`).
    public var description: String {
        switch role {
        case .service, .unknown: service
        case .loadBalancer where service.lowercased().contains("alb"): service
        default: service.lowercased().contains(role.rawValue) ? service : "\(service) (\(role.rawValue))"
        }
    }
}

extension TraceTree {
    /// The hops a request passed through to reach `index`, root first: one entry per
    /// process along the path (a process's server and client spans count once), placeholders left out.
    public func hopChain(to index: Int) -> [Hop] {
        var chain: [Hop] = []
        for node in path(to: index).map({ nodes[$0] }) where !node.isMissingParent {
            if chain.last != node.hop { chain.append(node.hop) }
        }
        return chain
    }
}

import KeiroModel

/// A span as the analyzer receives it: the raw stored span, the service that reported it
/// and that service's resource (host attributes for clock-skew adjustment, the platform
/// for recognising an ALB access-log span).
public struct AnalyzedSpan: Sendable, Hashable {
    public var span: Span
    public var service: String
    public var resource: Resource

    public init(span: Span, service: String, resource: Resource = Resource()) {
        self.span = span
        self.service = service
        self.resource = resource
    }

    /// Which clock the span's timestamps come from, as Jaeger derives it from the resource:
    /// `host.id`, else `host.ip` (first of a list), else `host.name`; Keiro falls back to the
    /// service name, so spans of one service are adjusted together.
    var hostKey: String {
        let attributes = resource.attributes
        if let id = attributes["host.id"]?.stringValue { return id }
        switch attributes["host.ip"] {
        case .string(let ip): return ip
        case .array(let ips) where !ips.isEmpty: return ips[0].displayString
        default: break
        }
        if let name = attributes[SemanticAttributes.hostName]?.stringValue { return name }
        return "service:" + service
    }
}

/// The entity that produced spans (a service instance), as OTLP's `Resource`.
public struct Resource: Hashable, Sendable {
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32

    public init(attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0) {
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
    }

    /// `service.name`, or OpenTelemetry's fallback `unknown_service` when it is missing.
    public var serviceName: String {
        attributes["service.name"]?.stringValue ?? "unknown_service"
    }
}

/// The instrumentation library that recorded spans, as OTLP's `InstrumentationScope`.
public struct InstrumentationScope: Hashable, Sendable {
    public var name: String
    public var version: String
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32

    public init(name: String = "", version: String = "", attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0) {
        self.name = name
        self.version = version
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
    }
}

/// Spans recorded by one instrumentation scope.
public struct ScopeSpans: Hashable, Sendable {
    public var scope: InstrumentationScope
    public var spans: [Span]

    public init(scope: InstrumentationScope = InstrumentationScope(), spans: [Span]) {
        self.scope = scope
        self.spans = spans
    }
}

/// Spans of one resource grouped by scope, as OTLP's `ResourceSpans`.
public struct ResourceSpans: Hashable, Sendable {
    public var resource: Resource
    public var scopeSpans: [ScopeSpans]

    public init(resource: Resource, scopeSpans: [ScopeSpans]) {
        self.resource = resource
        self.scopeSpans = scopeSpans
    }
}

/// One ingest unit: everything a single export request carried that passed validation.
public struct SpanBatch: Hashable, Sendable {
    public var resourceSpans: [ResourceSpans]

    public init(_ resourceSpans: [ResourceSpans] = []) {
        self.resourceSpans = resourceSpans
    }

    /// Number of spans across all resources and scopes.
    public var spanCount: Int {
        resourceSpans.reduce(0) { $0 + $1.scopeSpans.reduce(0) { $0 + $1.spans.count } }
    }

    /// Every span with the resource and scope it came from.
    public var flattened: [(resource: Resource, scope: InstrumentationScope, span: Span)] {
        resourceSpans.flatMap { rs in rs.scopeSpans.flatMap { ss in ss.spans.map { (rs.resource, ss.scope, $0) } } }
    }
}

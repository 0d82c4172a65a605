import KeiroModel

/// The request tree of one trace, rebuilt from raw spans at query time.
///
/// Building runs these steps in order (each one adds to `warnings` what it changed):
/// 1. With ``TreeOptions/traceID`` set, spans of other trace ids are joined only when a
///    B3 64-bit id and a 128-bit id share their low 64 bits and a parent link proves it
///    (``TraceIDJoin``); the rest are dropped.
/// 2. The same span reported twice (same id, kind and service) is kept once.
/// 3. Parent links join spans; a child is attached to the SERVER half when Envoy shared one
///    span id between a client and a server span, and the server half hangs under the
///    client half, so both stay visible as two nodes. A span whose parent is not stored
///    (not yet, or never) hangs under a visible placeholder node for that missing parent.
/// 4. An ALB access-log span goes above the server span of the hop it forwarded to.
/// 5. Clock skew between hosts is corrected as Jaeger does (``TreeOptions/maxClockSkewAdjustment``).
/// Children and roots are ordered by (adjusted) start time.
public struct TraceTree: Sendable {
    /// One node: a real span, or a placeholder for a parent that is missing.
    public struct Node: Sendable, Hashable {
        /// The span, its timestamps shifted by `clockSkewShiftNanos`; for a placeholder, a
        /// zero-length span carrying the missing id.
        public var span: Span
        public var service: String
        public var resource: Resource
        public var parent: Int?
        public var children: [Int]
        /// True for the stand-in of a parent span that is not stored.
        public var isMissingParent: Bool
        /// What this span is on the request path (edge, gateway, sidecar, service, …).
        public var hop: Hop
        /// Nanoseconds added to the stored timestamps by clock-skew adjustment (0: none).
        public var clockSkewShiftNanos: Int64
        /// Notes about this span, in Jaeger's wording (timestamps adjusted, adjustment refused).
        public var warnings: [String]
        /// Which clock the timestamps come from (``AnalyzedSpan``'s host key; empty for a placeholder).
        let hostKey: String

        init(_ input: AnalyzedSpan, isMissingParent: Bool = false) {
            span = input.span
            service = input.service
            resource = input.resource
            parent = nil
            children = []
            self.isMissingParent = isMissingParent
            hop = isMissingParent ? Hop(role: .unknown, service: input.service) : Hop(input)
            clockSkewShiftNanos = 0
            warnings = []
            hostKey = isMissingParent ? "" : input.hostKey
        }
    }

    public internal(set) var nodes: [Node] = []
    /// Nodes without a parent (the root, placeholders for missing parents), by start time.
    public internal(set) var roots: [Int] = []
    /// What was adjusted while building (ids joined, duplicates dropped, missing parents), for display.
    public internal(set) var warnings: [String] = []
    /// The trace asked for (``TreeOptions/traceID``), else the earliest span's trace id.
    public internal(set) var traceID: TraceID = .zero
    /// Trace ids joined into this tree besides `traceID` (a B3 64-bit twin).
    public internal(set) var joinedTraceIDs: [TraceID] = []

    public init(_ spans: [AnalyzedSpan], options: TreeOptions = TreeOptions()) {
        var spans = spans
        if let requested = options.traceID {
            let join = TraceIDJoin(spans, requested: requested)
            spans = join.spans
            traceID = join.traceID
            joinedTraceIDs = join.joinedTraceIDs
            warnings += join.warnings
        }
        var seen = Set<SpanKey>()
        for input in spans.sorted(by: Self.startOrder) {
            guard seen.insert(SpanKey(input)).inserted else {
                warnings.append("duplicate span \(input.span.spanID) (\(input.span.kind)) from \(input.service) dropped")
                continue
            }
            nodes.append(Node(input))
        }
        if options.traceID == nil, let first = nodes.first { traceID = first.span.traceID }
        link()
        if options.placesLoadBalancerAboveForwardedHop { placeLoadBalancerSpans() }
        adjustClockSkew(maxDeltaNanos: options.maxClockSkewAdjustment.nanoseconds)
        orderByStart()
    }

    private struct SpanKey: Hashable {
        var id: SpanID
        var kind: SpanKind
        var service: String

        init(_ input: AnalyzedSpan) {
            id = input.span.spanID
            kind = input.span.kind
            service = input.service
        }
    }

    private static func startOrder(_ a: AnalyzedSpan, _ b: AnalyzedSpan) -> Bool {
        (a.span.startTimeUnixNano, a.span.spanID.value, a.span.kind.rawValue) < (b.span.startTimeUnixNano, b.span.spanID.value, b.span.kind.rawValue)
    }

    private mutating func link() {
        // Which node a child naming `id` as parent belongs under: the server half of a
        // shared id (the callee's side), else the only node with that id.
        var byID: [SpanID: Int] = [:]
        var clientByID: [SpanID: Int] = [:]
        for (index, node) in nodes.enumerated() {
            if node.span.kind == .client { clientByID[node.span.spanID] = index }
            if byID[node.span.spanID] == nil || node.span.kind == .server { byID[node.span.spanID] = index }
        }
        var placeholders: [SpanID: Int] = [:]
        let realCount = nodes.count
        for index in 0..<realCount {
            let span = nodes[index].span
            if span.kind == .server, let client = clientByID[span.spanID], client != index {
                attach(index, to: client)
            } else if let parentID = span.parentSpanID {
                if let parent = byID[parentID], parent != index {
                    attach(index, to: parent)
                } else {
                    let placeholder = placeholders[parentID] ?? addPlaceholder(for: parentID, traceID: span.traceID, at: span.startTimeUnixNano)
                    placeholders[parentID] = placeholder
                    attach(index, to: placeholder)
                }
            }
        }
        for index in nodes.indices where nodes[index].parent == nil { roots.append(index) }
    }

    mutating func attach(_ child: Int, to parent: Int) {
        nodes[child].parent = parent
        nodes[parent].children.append(child)
    }

    mutating func detach(_ child: Int) {
        guard let parent = nodes[child].parent else {
            roots.removeAll { $0 == child }
            return
        }
        nodes[parent].children.removeAll { $0 == child }
        nodes[child].parent = nil
    }

    private mutating func addPlaceholder(for id: SpanID, traceID: TraceID, at start: UInt64) -> Int {
        warnings.append("parent span \(id) is not stored; its children are shown under a placeholder")
        let span = Span(
            traceID: traceID, spanID: id, name: "missing parent \(id)", kind: .unspecified, startTimeUnixNano: start, endTimeUnixNano: start)
        nodes.append(Node(AnalyzedSpan(span: span, service: "?"), isMissingParent: true))
        return nodes.count - 1
    }

    private mutating func orderByStart() {
        let starts = nodes.map(\.span.startTimeUnixNano)
        roots.sort { starts[$0] < starts[$1] }
        for index in nodes.indices {
            nodes[index].children.sort { starts[$0] < starts[$1] }
        }
    }

    /// Nodes from `index` up to its root, root first.
    public func path(to index: Int) -> [Int] {
        var path = [index]
        while let parent = nodes[path[path.count - 1]].parent { path.append(parent) }
        return path.reversed()
    }

    /// Every node below `index` (not itself), depth first in child order.
    public func descendants(of index: Int) -> [Int] {
        var result: [Int] = []
        var stack = nodes[index].children.reversed() as [Int]
        while let next = stack.popLast() {
            result.append(next)
            stack += nodes[next].children.reversed()
        }
        return result
    }

    /// Every node in tree order: each root, then its subtree depth first.
    public var depthFirstOrder: [Int] {
        roots.flatMap { [$0] + descendants(of: $0) }
    }
}

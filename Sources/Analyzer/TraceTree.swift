import KeiroModel

/// A span as the analyzer receives it: the raw stored span and the service that reported it.
public struct AnalyzedSpan: Sendable, Hashable {
    public var span: Span
    public var service: String

    public init(span: Span, service: String) {
        self.span = span
        self.service = service
    }
}

/// The request tree of one trace, rebuilt from raw spans at query time.
///
/// - Parent links join spans; a child is attached to the SERVER half when Envoy shared one
///   span id between a client and a server span, and the server half hangs under the
///   client half, so both stay visible as two nodes.
/// - A span whose parent is not stored (not yet, or never) hangs under a visible
///   placeholder node for that missing parent instead of being dropped.
/// - The same span reported twice (same id, kind and service) is kept once.
/// Children are ordered by start time.
public struct TraceTree: Sendable {
    /// One node: a real span, or a placeholder for a parent that is missing.
    public struct Node: Sendable, Hashable {
        /// The span; for a placeholder, a zero-length span carrying the missing id.
        public var span: Span
        public var service: String
        public var parent: Int?
        public var children: [Int]
        /// True for the stand-in of a parent span that is not stored.
        public var isMissingParent: Bool
    }

    public private(set) var nodes: [Node] = []
    /// Nodes without a parent (the root, placeholders for missing parents), by start time.
    public private(set) var roots: [Int] = []
    /// What was adjusted while building (duplicates dropped, missing parents), for display.
    public private(set) var warnings: [String] = []

    public init(_ spans: [AnalyzedSpan]) {
        var seen = Set<SpanKey>()
        for input in spans.sorted(by: Self.startOrder) {
            guard seen.insert(SpanKey(input)).inserted else {
                warnings.append("duplicate span \(input.span.spanID) (\(input.span.kind)) from \(input.service) dropped")
                continue
            }
            nodes.append(Node(span: input.span, service: input.service, parent: nil, children: [], isMissingParent: false))
        }
        link()
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
        let starts = nodes.map(\.span.startTimeUnixNano)
        roots.sort { starts[$0] < starts[$1] }
        for index in nodes.indices {
            nodes[index].children.sort { starts[$0] < starts[$1] }
        }
    }

    private mutating func attach(_ child: Int, to parent: Int) {
        nodes[child].parent = parent
        nodes[parent].children.append(child)
    }

    private mutating func addPlaceholder(for id: SpanID, traceID: TraceID, at start: UInt64) -> Int {
        warnings.append("parent span \(id) is not stored; its children are shown under a placeholder")
        nodes.append(
            Node(
                span: Span(traceID: traceID, spanID: id, name: "missing parent \(id)", kind: .unspecified,
                           startTimeUnixNano: start, endTimeUnixNano: start),
                service: "?", parent: nil, children: [], isMissingParent: true))
        return nodes.count - 1
    }

    /// Nodes from `index` up to its root, root first.
    public func path(to index: Int) -> [Int] {
        var path = [index]
        while let parent = nodes[path[0]].parent { path.insert(parent, at: 0) }
        return path
    }
}

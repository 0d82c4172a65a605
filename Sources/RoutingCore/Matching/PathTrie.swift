/// Receives the candidate route lists of a ``PathTrie`` walk.
protocol CandidateVisitor {
    /// Looks at one sorted list of route indices; returns false to end the walk.
    mutating func visit(_ list: ArraySlice<Int32>) -> Bool
}

/// A byte trie over request paths, frozen into flat arrays after building. Each node holds
/// the (sorted) indices of routes with a `prefix` ending there and of routes with an
/// `exact` path ending there, so one walk over the path yields every route whose URI
/// condition can match — in time proportional to the path length, not the route count.
struct PathTrie: Sendable {
    private struct Node: Sendable {
        var firstChild: Int32 = 0
        var childCount: Int32 = 0
        var prefixRoutes: Range<Int32> = 0..<0
        var exactRoutes: Range<Int32> = 0..<0
    }

    /// Whether paths are folded to ASCII lowercase (routes with `ignoreUriCase`).
    let caseInsensitive: Bool
    private let nodes: [Node]
    private let childBytes: [UInt8]
    private let childNodes: [Int32]
    private let routeLists: [Int32]

    /// Whether no route was added.
    var isEmpty: Bool { routeLists.isEmpty }

    /// Hands `visitor` each candidate list along `path`: the prefix routes of every node on
    /// the walk (shortest prefix first) and, if the whole path is in the trie, its exact
    /// routes. The visitor returns false to stop early. (A generic visitor rather than a
    /// closure keeps the hot path free of captured-variable exclusivity checks.)
    @inline(__always)
    func forEachCandidateList<Visitor: CandidateVisitor>(_ path: String, _ visitor: inout Visitor) {
        guard !routeLists.isEmpty else { return }
        var node = 0
        var consumedAll = true
        for rawByte in path.utf8 {
            let current = nodes[node]
            if !current.prefixRoutes.isEmpty, !visitor.visit(routeLists[Int(current.prefixRoutes.lowerBound)..<Int(current.prefixRoutes.upperBound)]) {
                return
            }
            let byte = caseInsensitive ? ASCII.lower(rawByte) : rawByte
            let start = Int(current.firstChild), end = start + Int(current.childCount)
            var next = -1
            var index = start
            while index < end {
                if childBytes[index] == byte {
                    next = Int(childNodes[index])
                    break
                }
                index += 1
            }
            if next < 0 {
                consumedAll = false
                break
            }
            node = next
        }
        let last = nodes[node]
        if consumedAll {
            if !last.prefixRoutes.isEmpty, !visitor.visit(routeLists[Int(last.prefixRoutes.lowerBound)..<Int(last.prefixRoutes.upperBound)]) {
                return
            }
            if !last.exactRoutes.isEmpty {
                _ = visitor.visit(routeLists[Int(last.exactRoutes.lowerBound)..<Int(last.exactRoutes.upperBound)])
            }
        }
    }

    /// Collects routes, then ``build()`` freezes them into a ``PathTrie``.
    struct Builder {
        private var children: [[UInt8: Int]] = [[:]]
        private var prefixes: [[Int]] = [[]]
        private var exacts: [[Int]] = [[]]
        let caseInsensitive: Bool

        init(caseInsensitive: Bool) { self.caseInsensitive = caseInsensitive }

        mutating func add(prefix: String, route: Int) {
            let node = insert(prefix)
            prefixes[node].append(route)
        }

        mutating func add(exact: String, route: Int) {
            let node = insert(exact)
            exacts[node].append(route)
        }

        private mutating func insert(_ key: String) -> Int {
            var node = 0
            for rawByte in key.utf8 {
                let byte = caseInsensitive ? ASCII.lower(rawByte) : rawByte
                if let next = children[node][byte] {
                    node = next
                } else {
                    children.append([:])
                    prefixes.append([])
                    exacts.append([])
                    children[node][byte] = children.count - 1
                    node = children.count - 1
                }
            }
            return node
        }

        func build() -> PathTrie {
            var nodes = [Node](repeating: Node(), count: children.count)
            var childBytes: [UInt8] = [], childNodes: [Int32] = [], routeLists: [Int32] = []
            func append(_ routes: [Int]) -> Range<Int32> {
                let start = Int32(routeLists.count)
                routeLists += Set(routes).sorted().map(Int32.init)
                return start..<Int32(routeLists.count)
            }
            for (index, edges) in children.enumerated() {
                nodes[index].firstChild = Int32(childBytes.count)
                nodes[index].childCount = Int32(edges.count)
                for (byte, child) in edges.sorted(by: { $0.key < $1.key }) {
                    childBytes.append(byte)
                    childNodes.append(Int32(child))
                }
                nodes[index].prefixRoutes = append(prefixes[index])
                nodes[index].exactRoutes = append(exacts[index])
            }
            return PathTrie(
                caseInsensitive: caseInsensitive, nodes: nodes, childBytes: childBytes,
                childNodes: childNodes, routeLists: routeLists
            )
        }
    }
}

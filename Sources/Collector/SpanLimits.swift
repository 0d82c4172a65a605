import KeiroModel

/// Applies the collector's attribute limits to decoded spans: attributes beyond the count
/// limit are dropped, string and bytes values beyond the length limit are truncated, and
/// each of either is counted in the owner's `dropped_attributes_count`.
struct SpanLimits: Sendable {
    var maxAttributes: Int
    var maxValueLength: Int

    /// Applies the limits in place; returns how many attributes were dropped or truncated.
    @discardableResult
    func apply(to batch: inout SpanBatch) -> Int {
        // Nearly every batch is within the limits: a read-only pass finds out without the
        // copies (and retains) of each span and value that changing them in place makes.
        guard batch.resourceSpans.contains(where: exceedsLimits) else { return 0 }
        var changed = 0
        for r in batch.resourceSpans.indices {
            changed += limit(&batch.resourceSpans[r].resource)
            for s in batch.resourceSpans[r].scopeSpans.indices {
                changed += limit(&batch.resourceSpans[r].scopeSpans[s].scope)
                for i in batch.resourceSpans[r].scopeSpans[s].spans.indices {
                    changed += apply(to: &batch.resourceSpans[r].scopeSpans[s].spans[i])
                }
            }
        }
        return changed
    }

    private func apply(to span: inout Span) -> Int {
        var changed = limit(&span)
        for e in span.events.indices { changed += limit(&span.events[e]) }
        for l in span.links.indices { changed += limit(&span.links[l]) }
        return changed
    }

    /// Limits the owner's own attribute list (not those of nested events or links).
    private func limit(_ owner: inout some AttributeOwner) -> Int {
        guard exceedsLimits(owner) else { return 0 }
        var changed = 0
        if owner.attributes.count > maxAttributes {
            changed += owner.attributes.count - maxAttributes
            owner.attributes.removeSubrange(maxAttributes...)
        }
        for index in owner.attributes.indices where exceedsLength(owner.attributes[index].value) {
            owner.attributes[index].value = truncated(owner.attributes[index].value)
            changed += 1
        }
        if changed > 0 { owner.droppedAttributesCount = UInt32(clamping: UInt64(owner.droppedAttributesCount) + UInt64(changed)) }
        return changed
    }

    private func exceedsLimits(_ resourceSpans: ResourceSpans) -> Bool {
        exceedsLimits(resourceSpans.resource)
            || resourceSpans.scopeSpans.contains { scopeSpans in
                exceedsLimits(scopeSpans.scope)
                    || scopeSpans.spans.contains { span in
                        exceedsLimits(span) || span.events.contains(where: exceedsLimits)
                            || span.links.contains(where: exceedsLimits)
                    }
            }
    }

    private func exceedsLimits(_ owner: some AttributeOwner) -> Bool {
        owner.attributes.count > maxAttributes || owner.attributes.contains { exceedsLength($0.value) }
    }

    private func exceedsLength(_ value: AttributeValue) -> Bool {
        switch value {
        case .string(let string): string.utf8.count > maxValueLength
        case .bytes(let bytes): bytes.count > maxValueLength
        case .array(let values): values.contains(where: exceedsLength)
        case .map(let entries): entries.contains { exceedsLength($0.value) }
        case .bool, .int, .double: false
        }
    }

    private func truncated(_ value: AttributeValue) -> AttributeValue {
        switch value {
        case .string(let string): return .string(string.prefix(utf8Bytes: maxValueLength))
        case .bytes(let bytes): return .bytes(Array(bytes.prefix(maxValueLength)))
        case .array(let values): return .array(values.map(truncated))
        case .map(let entries): return .map(entries.map { Attribute($0.key, truncated($0.value)) })
        case .bool, .int, .double: return value
        }
    }
}

/// Anything that carries attributes and counts the ones it lost.
protocol AttributeOwner {
    var attributes: [Attribute] { get set }
    var droppedAttributesCount: UInt32 { get set }
}

extension Span: AttributeOwner {}
extension SpanEvent: AttributeOwner {}
extension SpanLink: AttributeOwner {}
extension Resource: AttributeOwner {}
extension InstrumentationScope: AttributeOwner {}

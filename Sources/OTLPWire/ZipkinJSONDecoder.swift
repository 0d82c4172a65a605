import Foundation
import KeiroModel

/// Decodes a Zipkin v2 JSON span list into Keiro spans, following OpenTelemetry's Zipkin
/// translation: `localEndpoint.serviceName` becomes the resource's `service.name`, tags
/// become string attributes, annotations events, an `error` tag an ERROR status (the tag
/// is kept), the remote endpoint `peer.service` / `network.peer.*`. Envoy's `shared`
/// server half keeps its own row (its kind differs from the client half) and is marked
/// `keiro.zipkin.shared`.
public enum ZipkinJSONDecoder {
    public static func decode(_ body: Data) throws(WireDecodingError) -> DecodedSpans {
        let wireSpans: [ZipkinJSON.Span]
        do {
            wireSpans = try JSONDecoder().decode([ZipkinJSON.Span].self, from: body)
        } catch {
            throw WireDecodingError("invalid Zipkin v2 JSON body: \(OTLPJSONDecoder.describe(error))")
        }
        var decoded = DecodedSpans()
        var spansByService: [String: [KeiroModel.Span]] = [:]
        var serviceOrder: [String] = []
        for (index, wire) in wireSpans.enumerated() {
            switch span(wire, index: index) {
            case .success(let span):
                let service = wire.localEndpoint?.serviceName.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown_service"
                if spansByService[service] == nil { serviceOrder.append(service) }
                spansByService[service, default: []].append(span)
            case .failure(let rejection):
                decoded.rejections.record(rejection.reason, rejection.message)
            }
        }
        decoded.batch = SpanBatch(
            serviceOrder.map { service in
                ResourceSpans(
                    resource: Resource(attributes: [Attribute(SemanticAttributes.serviceName, .string(service))]),
                    scopeSpans: [ScopeSpans(scope: InstrumentationScope(name: "zipkin"), spans: spansByService[service]!)])
            })
        return decoded
    }

    private static let kinds: [String: SpanKind] = [
        "CLIENT": .client, "SERVER": .server, "PRODUCER": .producer, "CONSUMER": .consumer,
    ]

    private static func span(_ wire: ZipkinJSON.Span, index: Int) -> Result<KeiroModel.Span, SpanRejection> {
        let ids: HexSpanIDs
        switch HexSpanIDs.read(
            trace: wire.traceId, span: wire.id, parent: wire.parentId, fields: ("traceId", "id", "parentId"),
            traceDigits: [16, 32], index: index)
        {
        case .success(let read): ids = read
        case .failure(let rejection): return .failure(rejection)
        }
        guard let timestamp = wire.timestamp else {
            return .failure(.init(reason: .missingTimestamp, message: "span #\(index): timestamp is missing"))
        }
        let (start, startOverflow) = timestamp.multipliedReportingOverflow(by: 1_000)
        let (duration, durationOverflow) = (wire.duration ?? 0).multipliedReportingOverflow(by: 1_000)
        guard !startOverflow, !durationOverflow, start <= SpanChecks.maxTimestamp - duration else {
            return .failure(.init(reason: .timestampOutOfRange, message: "span #\(index): timestamp or duration out of range"))
        }

        var attributes: [Attribute] = (wire.tags ?? [:]).sorted { $0.key < $1.key }.map { Attribute($0.key, .string($0.value)) }
        if let remote = wire.remoteEndpoint {
            if let service = remote.serviceName, !service.isEmpty { attributes.append(Attribute(SemanticAttributes.peerService, .string(service))) }
            if let address = remote.ipv4 ?? remote.ipv6 { attributes.append(Attribute(SemanticAttributes.networkPeerAddress, .string(address))) }
            if let port = remote.port { attributes.append(Attribute(SemanticAttributes.networkPeerPort, .int(Int64(port)))) }
        }
        if let local = wire.localEndpoint {
            if let address = local.ipv4 ?? local.ipv6 { attributes.append(Attribute("network.local.address", .string(address))) }
            if let port = local.port { attributes.append(Attribute("network.local.port", .int(Int64(port)))) }
        }
        if wire.shared == true { attributes.append(Attribute(SemanticAttributes.zipkinShared, .bool(true))) }
        if wire.debug == true { attributes.append(Attribute(SemanticAttributes.zipkinDebug, .bool(true))) }

        let status = wire.tags?["error"].map { SpanStatus(code: .error, message: $0) } ?? SpanStatus()
        return .success(
            KeiroModel.Span(
                traceID: ids.traceID, spanID: ids.spanID, parentSpanID: ids.parent, name: wire.name ?? "",
                kind: wire.kind.flatMap { kinds[$0.uppercased()] } ?? .unspecified,
                startTimeUnixNano: start, endTimeUnixNano: start + duration, attributes: attributes,
                events: (wire.annotations ?? []).map { annotation in
                    SpanEvent(timeUnixNano: (annotation.timestamp ?? timestamp) &* 1_000, name: annotation.value ?? "")
                },
                status: status,
                flags: 0x01))
    }
}

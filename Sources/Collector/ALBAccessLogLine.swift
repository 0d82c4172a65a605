import Foundation
import KeiroModel

/// One line of an AWS Application Load Balancer access log (ELB user guide field order),
/// turned into the edge span of its request's trace: the trace comes from the logged
/// `X-Amzn-Trace-Id` Root (mapped to the W3C id as OpenTelemetry's X-Ray propagator does),
/// the span runs from `request_creation_time` to `time`, and its id is derived from the
/// line's content so that ingesting the same file twice stores each span once.
public struct ALBAccessLogLine: Sendable {
    /// Why a line could not be read.
    public typealias Malformed = ALBLogRecord.Malformed

    /// The fields in log order, `-` kept as written.
    public var fields: [String] { record.values }

    /// The line split into its fields (``ALBLogField`` positions, shared with the edge's writer).
    public let record: ALBLogRecord

    /// Splits a line into fields: space separated, `"…"` quoted (with `\"` escapes).
    public init(_ line: some StringProtocol) throws(Malformed) {
        record = try ALBLogRecord(parsing: line)
    }

    subscript(field: ALBLogField) -> String? { record[field] }

    /// The edge span this line records, and the load balancer's name (its service name).
    public func span() throws(Malformed) -> (span: Span, service: String) {
        guard let traceHeader = self[.traceID], let amazon = AmazonTraceID(header: traceHeader), let traceID = amazon.root else {
            throw Malformed(reason: "trace_id '\(self[.traceID] ?? "-")' has no valid Root")
        }
        guard let end = Self.nanoseconds(self[.time]) else { throw Malformed(reason: "time '\(self[.time] ?? "-")' is not an ISO 8601 timestamp") }
        let start = Self.nanoseconds(self[.requestCreationTime]) ?? end
        let status = self[.elbStatusCode].flatMap { Int64($0) }

        var attributes: [Attribute] = []
        func add(_ key: String, _ value: AttributeValue?) {
            if let value { attributes.append(Attribute(key, value)) }
        }
        let request = self[.request]?.split(separator: " ", maxSplits: 2).map(String.init) ?? []
        let url = request.count > 1 ? URLComponents(string: request[1]) : nil
        add(SemanticAttributes.httpRequestMethod, request.first.map { .string($0) })
        add(SemanticAttributes.urlFull, request.count > 1 ? .string(request[1]) : nil)
        add(SemanticAttributes.urlPath, url.map { .string($0.path.isEmpty ? "/" : $0.path) })
        add("url.scheme", url?.scheme.map { .string($0) })
        add("network.protocol.version", request.count > 2 ? .string(request[2].replacingOccurrences(of: "HTTP/", with: "")) : nil)
        add(SemanticAttributes.httpResponseStatusCode, status.map { .int($0) })
        add("client.address", self[.client].map { .string(Self.host(of: $0)) })
        add(SemanticAttributes.serverAddress, self[.domainName].map { .string($0) })
        add(SemanticAttributes.networkPeerAddress, self[.target].map { .string($0) })
        add("user_agent.original", self[.userAgent].map { .string($0) })
        add("aws.elb.type", self[.type].map { .string($0) })
        add("aws.elb.target_status_code", self[.targetStatusCode].flatMap { Int64($0) }.map { .int($0) })
        add("aws.elb.request_processing_time", self[.requestProcessingTime].flatMap { Double($0) }.map { .double($0) })
        add("aws.elb.target_processing_time", self[.targetProcessingTime].flatMap { Double($0) }.map { .double($0) })
        add("aws.elb.response_processing_time", self[.responseProcessingTime].flatMap { Double($0) }.map { .double($0) })
        add("aws.elb.received_bytes", self[.receivedBytes].flatMap { Int64($0) }.map { .int($0) })
        add("aws.elb.sent_bytes", self[.sentBytes].flatMap { Int64($0) }.map { .int($0) })
        add("aws.elb.target_group_arn", self[.targetGroupARN].map { .string($0) })
        add("aws.elb.matched_rule_priority", self[.matchedRulePriority].flatMap { Int64($0) }.map { .int($0) })
        add("aws.elb.actions_executed", self[.actionsExecuted].map { .string($0) })
        add("aws.elb.error_reason", self[.errorReason].map { .string($0) })
        add("aws.elb.classification", self[.classification].map { .string($0) })
        add("aws.elb.trace_id", .string(traceHeader))

        let method = request.first ?? "HTTP"
        let span = Span(
            traceID: traceID, spanID: SpanID(StableHash.hash(fields.joined(separator: " ")) | 1), parentSpanID: amazon.parent,
            name: method, kind: .server, startTimeUnixNano: min(start, end), endTimeUnixNano: end, attributes: attributes,
            status: status.map { $0 >= 500 ? SpanStatus(code: .error, message: "HTTP \($0)") : SpanStatus() } ?? SpanStatus(),
            flags: amazon.value(for: "Sampled") == "1" ? 1 : 0)
        return (span, self[.elb] ?? "alb")
    }

    private static func host(of endpoint: String) -> String {
        guard let colon = endpoint.lastIndex(of: ":") else { return endpoint }
        return String(endpoint[..<colon])
    }

    private static func nanoseconds(_ text: String?) -> UInt64? {
        text.flatMap { ALBTimestamp.unixNanos($0) }
    }
}

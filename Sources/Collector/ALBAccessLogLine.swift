import Foundation
import KeiroModel

/// One line of an AWS Application Load Balancer access log (ELB user guide field order),
/// turned into the edge span of its request's trace: the trace comes from the logged
/// `X-Amzn-Trace-Id` Root (mapped to the W3C id as OpenTelemetry's X-Ray propagator does),
/// the span runs from `request_creation_time` to `time`, and its id is derived from the
/// line's content so that ingesting the same file twice stores each span once.
public struct ALBAccessLogLine: Sendable {
    /// Why a line could not be read.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The fields in log order, `-` kept as written.
    public let fields: [String]

    /// Field positions (0-based) in the documented order; later, unknown fields are ignored.
    enum Field: Int {
        case type = 0, time, elb, client, target, requestProcessingTime, targetProcessingTime, responseProcessingTime
        case elbStatusCode, targetStatusCode, receivedBytes, sentBytes, request, userAgent, sslCipher, sslProtocol
        case targetGroupARN, traceID, domainName, chosenCertARN, matchedRulePriority, requestCreationTime
        case actionsExecuted, redirectURL, errorReason, targetPortList, targetStatusCodeList, classification
        case classificationReason
    }

    /// Splits a line into fields: space separated, `"…"` quoted (with `\"` escapes).
    public init(_ line: some StringProtocol) throws(Malformed) {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        var fieldStarted = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if inQuotes {
                switch character {
                case "\\": escaped = true
                case "\"": inQuotes = false
                default: current.append(character)
                }
            } else if character == " " {
                if fieldStarted { fields.append(current) }
                current = ""
                fieldStarted = false
            } else if character == "\"" && !fieldStarted {
                inQuotes = true
                fieldStarted = true
            } else {
                current.append(character)
                fieldStarted = true
            }
        }
        guard !inQuotes else { throw Malformed(reason: "unterminated quoted field") }
        if fieldStarted { fields.append(current) }
        guard fields.count > Field.requestCreationTime.rawValue else {
            throw Malformed(reason: "\(fields.count) fields; an ALB access log line has at least \(Field.requestCreationTime.rawValue + 1)")
        }
        self.fields = fields
    }

    subscript(field: Field) -> String? {
        guard field.rawValue < fields.count else { return nil }
        let value = fields[field.rawValue]
        return value == "-" || value.isEmpty ? nil : value
    }

    /// The edge span this line records, and the load balancer's name (its service name).
    public func span() throws(Malformed) -> (span: Span, service: String) {
        guard let traceHeader = self[.traceID], let amazon = AmazonTraceID(header: traceHeader), let traceID = amazon.root else {
            throw Malformed(reason: "trace_id '\(self[.traceID] ?? "-")' has no valid Root")
        }
        guard let end = Self.nanoseconds(self[.time]) else { throw Malformed(reason: "time '\(fields[1])' is not an ISO 8601 timestamp") }
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
        guard let text else { return nil }
        // 2018-07-02T22:23:00.186641Z — ISO8601DateFormatter keeps only milliseconds, so the
        // fraction is read separately to keep microseconds.
        let parts = text.split(separator: ".", maxSplits: 1)
        let formatter = ISO8601DateFormatter()
        guard let seconds = formatter.date(from: parts.count == 2 ? String(parts[0]) + "Z" : text) else { return nil }
        var nanos = UInt64(seconds.timeIntervalSince1970) * 1_000_000_000
        if parts.count == 2 {
            let digits = parts[1].prefix { $0.isNumber }
            guard let fraction = UInt64(digits.prefix(9)) else { return nil }
            nanos += fraction * UInt64(pow(10, Double(9 - min(9, digits.count))))
        }
        return nanos
    }
}

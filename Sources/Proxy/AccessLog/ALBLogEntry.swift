import KeiroModel

/// The ALB access log line of one edge request, read from the edge's own spans: its
/// SERVER span and the CLIENT span of its last try (nil when nothing was dispatched).
///
/// - `trace_id` is `Root={trace as X-Ray id};Parent={SERVER span id};Sampled=1|0`: the
///   Root the edge set on `X-Amzn-Trace-Id`, with Parent naming the edge's SERVER span, so
///   the span `keiro ingest alb-logs` makes of the line nests under the edge hop.
/// - `received_bytes`/`sent_bytes` count bodies only (ALB counts headers too).
/// - `matched_rule_priority` is the rule's priority (`0` for the default action).
/// - TLS, certificate, redirect, classification and `conn_trace_id` fields are `-`.
enum ALBLogEntry {
    static func record(server: Span, client: Span?, loadBalancer: String) -> ALBLogRecord {
        let attributes = server.attributes
        var record = ALBLogRecord()
        record[.type] = "http"
        record[.time] = ALBTimestamp.format(unixNanos: server.endTimeUnixNano)
        record[.elb] = loadBalancer
        if let address = attributes["client.address"]?.stringValue {
            record[.client] = "\(address):\(attributes["client.port"]?.intValue ?? 0)"
        }
        let scheme = attributes["url.scheme"]?.stringValue ?? "http"
        let host = attributes[SemanticAttributes.serverAddress]?.stringValue ?? "-"
        let port = attributes[SemanticAttributes.serverPort]?.intValue ?? (scheme == "https" ? 443 : 80)
        let query = attributes["url.query"]?.stringValue.map { "?" + $0 } ?? ""
        let method = attributes[SemanticAttributes.httpRequestMethod]?.stringValue ?? server.name
        let path = attributes[SemanticAttributes.urlPath]?.stringValue ?? "/"
        record[.request] = "\(method) \(scheme)://\(host):\(port)\(path)\(query) HTTP/1.1"
        record[.userAgent] = attributes["user_agent.original"]?.stringValue
        record[.elbStatusCode] = attributes[SemanticAttributes.httpResponseStatusCode]?.intValue.map(String.init)
        record[.receivedBytes] = String(attributes["http.request.body.size"]?.intValue ?? 0)
        record[.sentBytes] = String(attributes["http.response.body.size"]?.intValue ?? 0)

        if let client {
            let target = client.attributes[KeiroAttributes.destinationAddress]?.stringValue
            let status = client.attributes[SemanticAttributes.httpResponseStatusCode]?.intValue.map(String.init)
            record[.target] = target
            record[.targetStatusCode] = status
            record[.targetPortList] = target
            record[.targetStatusCodeList] = status
            record[.requestProcessingTime] = seconds(from: server.startTimeUnixNano, to: client.startTimeUnixNano)
            record[.targetProcessingTime] = seconds(from: client.startTimeUnixNano, to: client.endTimeUnixNano)
            record[.responseProcessingTime] = seconds(from: client.endTimeUnixNano, to: server.endTimeUnixNano)
        } else {
            for field in [ALBLogField.requestProcessingTime, .targetProcessingTime, .responseProcessingTime] { record[field] = "-1" }
        }
        if let group = attributes[KeiroAttributes.destinationHost]?.stringValue {
            record[.targetGroupARN] = "arn:aws:elasticloadbalancing:local:000000000000:targetgroup/\(group)/"
                + hex16(StableHash.hash(group))
            record[.actionsExecuted] = "forward"
        }
        var amazon = AmazonTraceID(fields: [AmazonTraceID.Field(key: "Root", value: AmazonTraceID.root(for: server.traceID))])
        amazon.parent = server.spanID
        amazon.sampled = server.flags & 1 == 1 ? .sampled : .notSampled
        record[.traceID] = amazon.headerValue
        switch attributes[KeiroAttributes.routeName]?.stringValue {
        case "default"?: record[.matchedRulePriority] = "0"
        case let name? where name.hasPrefix("priority "): record[.matchedRulePriority] = String(name.dropFirst("priority ".count))
        default: break
        }
        record[.requestCreationTime] = ALBTimestamp.format(unixNanos: server.startTimeUnixNano)
        return record
    }

    /// The `elb` field for a load balancer named `name`: `app/{name}/{16 hex}` as ALB writes it.
    static func loadBalancerID(name: String) -> String {
        "app/\(name)/\(hex16(StableHash.hash(name)))"
    }

    /// Seconds between two Unix-nanosecond times, with ALB's three decimals.
    private static func seconds(from start: UInt64, to end: UInt64) -> String {
        let millis = end > start ? (end - start) / 1_000_000 : 0
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    private static func hex16(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

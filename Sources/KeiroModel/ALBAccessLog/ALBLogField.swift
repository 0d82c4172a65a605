/// The fields of an AWS Application Load Balancer access log line, in log order (ELB user
/// guide). The one list both the edge's writer and `keiro ingest alb-logs` read.
public enum ALBLogField: Int, CaseIterable, Sendable {
    case type = 0, time, elb, client, target, requestProcessingTime, targetProcessingTime, responseProcessingTime
    case elbStatusCode, targetStatusCode, receivedBytes, sentBytes, request, userAgent, sslCipher, sslProtocol
    case targetGroupARN, traceID, domainName, chosenCertARN, matchedRulePriority, requestCreationTime
    case actionsExecuted, redirectURL, errorReason, targetPortList, targetStatusCodeList, classification
    case classificationReason, connTraceID

    /// Whether ALB writes the field in double quotes (`"GET http://… HTTP/1.1"`, `"-"`).
    public var isQuoted: Bool {
        switch self {
        case .request, .userAgent, .traceID, .domainName, .chosenCertARN, .actionsExecuted, .redirectURL, .errorReason,
             .targetPortList, .targetStatusCodeList, .classification, .classificationReason:
            true
        default:
            false
        }
    }

    /// Fields every line has; later ones (from `actions_executed` on) were added over the
    /// years and may be missing in old logs.
    public static let minimumCount = ALBLogField.requestCreationTime.rawValue + 1
}

import Foundation
import KeiroModel

/// What the flag analysis reads from a span: Keiro's attributes first, then OpenTelemetry's
/// HTTP conventions, then Zipkin/Envoy tag spellings.
extension Span {
    func string(_ keys: String...) -> String? {
        for key in keys { if let value = attributes[key] { return value.displayString } }
        return nil
    }

    func integer(_ keys: String...) -> Int? {
        for key in keys {
            switch attributes[key] {
            case .int(let value): return Int(value)
            case .string(let value): if let number = Int(value) { return number }
            default: continue
            }
        }
        return nil
    }

    var statusCode: Int? { integer(SemanticAttributes.httpResponseStatusCode, "http.status_code") }
    var errorType: String? { string(SemanticAttributes.errorType) }
    var isError: Bool { status.code == .error }
    /// Envoy response flags (`UT`, `UF`, `URX`, …) from Keiro's attribute or Envoy's tag.
    var responseFlags: [String] {
        (string(KeiroAttributes.responseFlags, "response_flags") ?? "").split(separator: ",").map(String.init).filter { $0 != "-" }
    }
    var responseDetails: String? { string(KeiroAttributes.responseDetails, "response_code_details") }
    /// `per_try` or `overall`.
    var timeoutKind: String? { string(KeiroAttributes.timeout) }
    var retryReason: String? { string(KeiroAttributes.retryReason) }
    /// The timeout this span says fired: Keiro's `keiro.timeout`, else Envoy's `UT` flag
    /// (per-try when the details say `upstream_per_try_timeout`).
    var firedTimeout: TraceFlags? {
        switch timeoutKind {
        case "per_try": return .perTryTimeout
        case "overall": return .overallTimeout
        default: break
        }
        guard responseFlags.contains("UT") else { return nil }
        return responseDetails == "upstream_per_try_timeout" ? .perTryTimeout : .overallTimeout
    }
    var resendCount: Int? { integer(SemanticAttributes.resendCount) }
    var routeName: String? { string(KeiroAttributes.routeName) }
    var routingDecision: String? { string(KeiroAttributes.routingDecision) }
    /// Where a call went: Keiro's chosen destination (with its subset), else the server
    /// address and port, the peer service, or the host of `url.full`.
    var destination: String? {
        if let host = string(KeiroAttributes.destinationHost) {
            return string(KeiroAttributes.destinationSubset).map { "\(host)/\($0)" } ?? host
        }
        if let address = string(SemanticAttributes.serverAddress) {
            return string(SemanticAttributes.serverPort).map { "\(address):\($0)" } ?? address
        }
        return string(SemanticAttributes.peerService) ?? string(SemanticAttributes.urlFull).flatMap { URLComponents(string: $0)?.host }
    }
    /// True when Keiro's proxy wrote this span.
    var hasKeiroAttributes: Bool { attributes.contains { $0.key.hasPrefix("keiro.") } }

    /// How the span ended, for evidence: `per-try timeout after 2.000s`, `status 503`,
    /// `connection_refused`, `error`, `ok`.
    var outcome: String {
        switch timeoutKind {
        case "per_try": return "per-try timeout after \(seconds(durationNanos))"
        case "overall": return "route timeout after \(seconds(durationNanos))"
        default: break
        }
        let flags = responseFlags.isEmpty ? "" : " " + responseFlags.joined(separator: ",")
        if let code = statusCode { return "status \(code)\(flags)" }
        if let errorType { return errorType + flags }
        return isError ? "error" : "ok"
    }

    /// Why a failed try was retried, in the brief's categories: status, connect failure,
    /// reset, per-try timeout (from `keiro.retry.reason`, else from how the try ended).
    var failureCause: String {
        let token = retryReason.map { String($0.prefix { $0 != " " }) } ?? ""
        if let status = Int(token) { return "status \(status)" }
        switch token {
        case "connect-failure": return "connect failure"
        case "reset", "refused-stream": return "reset"
        case "per-try-timeout": return "per-try timeout"
        default: break
        }
        if timeoutKind == "per_try" { return "per-try timeout" }
        let type = (errorType ?? "").lowercased()
        if type.contains("timeout") || type.contains("timed out") { return "timeout" }
        if type.contains("refused") || type.contains("connect") { return "connect failure" }
        if type.contains("reset") || type.contains("closed") || type.contains("eof") { return "reset" }
        if let code = statusCode { return "status \(code)" }
        return "error"
    }

    /// True when the try did not succeed: ERROR status, a 5xx, or an error type.
    var failed: Bool { isError || (statusCode ?? 0) >= 500 || errorType != nil }
}

/// `2.000s`: durations in evidence, millisecond precision.
func seconds(_ nanos: UInt64) -> String {
    String(format: "%.3fs", Double(nanos) / 1e9)
}

extension Span {
    /// The `retryOn` part of `keiro.retry.reason` (`retryOn 5xx` from `503 (retryOn 5xx)`).
    var retryCondition: String? {
        guard let reason = retryReason, let open = reason.firstIndex(of: "("), reason.hasSuffix(")") else { return nil }
        return String(reason[reason.index(after: open)..<reason.index(before: reason.endIndex)])
    }
}

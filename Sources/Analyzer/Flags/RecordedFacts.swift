import Foundation
import KeiroModel

/// The attributes `TraceFlags.recorded(by:)` reads, picked out of a span in one pass over its
/// attribute list (the ingest path runs it on every span). Each field holds the first
/// attribute of its key, as `Span`'s subscript does, so the answers equal those of the
/// span facts `flagReport()` reads (`Span+Facts`); `RecordedFlagTests` compares the two.
struct RecordedFacts {
    private var resendCount: AttributeValue?
    private var retryReason: AttributeValue?
    private var attempts: AttributeValue?
    private var timeout: AttributeValue?
    private var keiroResponseFlags: AttributeValue?
    private var envoyResponseFlags: AttributeValue?
    private var keiroResponseDetails: AttributeValue?
    private var envoyResponseDetails: AttributeValue?
    private var destinationHost: AttributeValue?
    private var destinationSubset: AttributeValue?
    private var serverAddress: AttributeValue?
    private var serverPort: AttributeValue?
    private var peerService: AttributeValue?
    private var urlFull: AttributeValue?
    private var routingDecision: AttributeValue?
    /// Any `keiro.*` attribute: the span was written by Keiro's proxy.
    private(set) var hasKeiroAttributes = false

    init(_ attributes: [Attribute]) {
        for attribute in attributes { note(attribute) }
    }

    /// Whether any flag beyond the root's error can follow: a Keiro attribute, a resend
    /// count or Envoy's response flags.
    var mayRecordFlag: Bool { hasKeiroAttributes || resendCount != nil || envoyResponseFlags != nil }

    private mutating func note(_ attribute: Attribute) {
        let value = attribute.value
        if attribute.key.utf8.starts(with: "keiro.".utf8) {
            hasKeiroAttributes = true
            switch attribute.key {
            case KeiroAttributes.retryReason: keep(value, in: &retryReason)
            case KeiroAttributes.attempts: keep(value, in: &attempts)
            case KeiroAttributes.timeout: keep(value, in: &timeout)
            case KeiroAttributes.responseFlags: keep(value, in: &keiroResponseFlags)
            case KeiroAttributes.responseDetails: keep(value, in: &keiroResponseDetails)
            case KeiroAttributes.destinationHost: keep(value, in: &destinationHost)
            case KeiroAttributes.destinationSubset: keep(value, in: &destinationSubset)
            case KeiroAttributes.routingDecision: keep(value, in: &routingDecision)
            default: break
            }
            return
        }
        switch attribute.key {
        case SemanticAttributes.resendCount: keep(value, in: &resendCount)
        case "response_flags": keep(value, in: &envoyResponseFlags)
        case "response_code_details": keep(value, in: &envoyResponseDetails)
        case SemanticAttributes.serverAddress: keep(value, in: &serverAddress)
        case SemanticAttributes.serverPort: keep(value, in: &serverPort)
        case SemanticAttributes.peerService: keep(value, in: &peerService)
        case SemanticAttributes.urlFull: keep(value, in: &urlFull)
        default: break
        }
    }

    private func keep(_ value: AttributeValue, in slot: inout AttributeValue?) {
        if slot == nil { slot = value }
    }

    var retried: Bool {
        (Self.integer(resendCount) ?? 0) > 0 || retryReason != nil || (Self.integer(attempts) ?? 0) > 1
    }

    /// Envoy response flags (`UT`, `URX`, …): Keiro's attribute, else Envoy's tag.
    var responseFlags: [Substring] {
        ((keiroResponseFlags ?? envoyResponseFlags)?.displayString ?? "").split(separator: ",").filter { $0 != "-" }
    }

    /// Keiro's `keiro.timeout`, else Envoy's `UT` flag (per-try when the details say
    /// `upstream_per_try_timeout`).
    func firedTimeout(responseFlags: [Substring]) -> TraceFlags? {
        switch timeout?.displayString {
        case "per_try": return .perTryTimeout
        case "overall": return .overallTimeout
        default: break
        }
        guard responseFlags.contains("UT") else { return nil }
        let details = (keiroResponseDetails ?? envoyResponseDetails)?.displayString
        return details == "upstream_per_try_timeout" ? .perTryTimeout : .overallTimeout
    }

    /// Whether the call's destination (`Span.destination`: Keiro's host and subset, else the
    /// server address and port, the peer service, or the host of `url.full`) names a canary.
    var destinationIsCanary: Bool {
        if let host = destinationHost {
            return Self.namesCanary(host) || destinationSubset.map(Self.namesCanary) == true
        }
        if let address = serverAddress {
            return Self.namesCanary(address) || serverPort.map(Self.namesCanary) == true
        }
        if let peerService { return Self.namesCanary(peerService) }
        guard let url = urlFull?.displayString, let host = URLComponents(string: url)?.host else { return false }
        return Self.containsCanary(host)
    }

    var routedByHeader: Bool { routingDecision?.displayString == "header" }

    private static func integer(_ value: AttributeValue?) -> Int? {
        switch value {
        case .int(let value): Int(value)
        case .string(let value): Int(value)
        default: nil
        }
    }

    private static func namesCanary(_ value: AttributeValue) -> Bool {
        containsCanary(value.displayString)
    }

    /// `text.lowercased().contains("canary")` without Foundation: no non-ASCII character
    /// lowercases to one of those ASCII letters.
    private static func containsCanary(_ text: String) -> Bool {
        let needle = Array("canary".utf8)
        var utf8 = text.utf8[...]
        while utf8.count >= needle.count {
            if zip(utf8, needle).allSatisfy({ $0 | 0x20 == $1 }) { return true }
            utf8 = utf8.dropFirst()
        }
        return false
    }
}

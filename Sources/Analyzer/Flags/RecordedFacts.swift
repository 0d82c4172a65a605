import Foundation
import KeiroModel

/// The attributes `TraceFlags.recorded(by:)` reads, picked out of a span in one pass over its
/// attribute list (the ingest path runs it on every span). Each field holds the first
/// attribute of its key (as an index: no value copied), as `Span`'s subscript does, so the answers equal those of the
/// span facts `flagReport()` reads (`Span+Facts`); `RecordedFlagTests` compares the two.
struct RecordedFacts {
    private var resendCount: Int?
    private var retryReason: Int?
    private var attempts: Int?
    private var timeout: Int?
    private var keiroResponseFlags: Int?
    private var envoyResponseFlags: Int?
    private var keiroResponseDetails: Int?
    private var envoyResponseDetails: Int?
    private var destinationHost: Int?
    private var destinationSubset: Int?
    private var serverAddress: Int?
    private var serverPort: Int?
    private var peerService: Int?
    private var urlFull: Int?
    private var routingDecision: Int?
    /// Any `keiro.*` attribute: the span was written by Keiro's proxy.
    private(set) var hasKeiroAttributes = false

    private let attributes: [Attribute]

    init(_ attributes: [Attribute]) {
        self.attributes = attributes
        for index in attributes.indices { note(attributes[index].key, at: index) }
    }

    /// Whether any flag beyond the root's error can follow: a Keiro attribute, a resend
    /// count or Envoy's response flags.
    var mayRecordFlag: Bool { hasKeiroAttributes || resendCount != nil || envoyResponseFlags != nil }

    private func value(_ slot: Int?) -> AttributeValue? { slot.map { attributes[$0].value } }

    /// Keeps `index` for the slot of `key`, unless an earlier attribute has it. Keys are
    /// told apart by their UTF-8 length before any comparison (every attribute of every
    /// ingested span comes through here).
    private mutating func note(_ key: String, at index: Int) {
        if Self.isKeiroKey(key) {
            hasKeiroAttributes = true
            switch key.utf8.count {
            case 13 where key == KeiroAttributes.timeout: keep(index, in: &timeout)
            case 14 where key == KeiroAttributes.attempts: keep(index, in: &attempts)
            case 18 where key == KeiroAttributes.retryReason: keep(index, in: &retryReason)
            case 20 where key == KeiroAttributes.responseFlags: keep(index, in: &keiroResponseFlags)
            case 22 where key == KeiroAttributes.destinationHost: keep(index, in: &destinationHost)
            case 22 where key == KeiroAttributes.routingDecision: keep(index, in: &routingDecision)
            case 24 where key == KeiroAttributes.destinationSubset: keep(index, in: &destinationSubset)
            case 27 where key == KeiroAttributes.responseDetails: keep(index, in: &keiroResponseDetails)
            default: break
            }
            return
        }
        switch key.utf8.count {
        case 8 where key == SemanticAttributes.urlFull: keep(index, in: &urlFull)
        case 11 where key == SemanticAttributes.serverPort: keep(index, in: &serverPort)
        case 12 where key == SemanticAttributes.peerService: keep(index, in: &peerService)
        case 14 where key == "response_flags": keep(index, in: &envoyResponseFlags)
        case 14 where key == SemanticAttributes.serverAddress: keep(index, in: &serverAddress)
        case 21 where key == "response_code_details": keep(index, in: &envoyResponseDetails)
        case 25 where key == SemanticAttributes.resendCount: keep(index, in: &resendCount)
        default: break
        }
    }

    /// Whether `key` starts with `keiro.`, compared as bytes.
    private static func isKeiroKey(_ key: String) -> Bool {
        key.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.count >= keiroPrefix.count && zip(bytes, keiroPrefix).allSatisfy { $0 == $1 }
        } ?? key.hasPrefix("keiro.")
    }

    private static let keiroPrefix: [UInt8] = Array("keiro.".utf8)

    private func keep(_ index: Int, in slot: inout Int?) {
        if slot == nil { slot = index }
    }

    var retried: Bool {
        (Self.integer(value(resendCount)) ?? 0) > 0 || retryReason != nil || (Self.integer(value(attempts)) ?? 0) > 1
    }

    /// Envoy response flags (`UT`, `URX`, …): Keiro's attribute, else Envoy's tag.
    var responseFlags: ResponseFlagList {
        ResponseFlagList(value(keiroResponseFlags ?? envoyResponseFlags)?.displayString ?? "")
    }

    /// Keiro's `keiro.timeout`, else Envoy's `UT` flag (per-try when the details say
    /// `upstream_per_try_timeout`).
    func firedTimeout(responseFlags: ResponseFlagList) -> TraceFlags? {
        switch value(timeout)?.displayString {
        case "per_try": return .perTryTimeout
        case "overall": return .overallTimeout
        default: break
        }
        guard responseFlags.contains("UT") else { return nil }
        let details = value(keiroResponseDetails ?? envoyResponseDetails)?.displayString
        return details == "upstream_per_try_timeout" ? .perTryTimeout : .overallTimeout
    }

    /// Whether the call's destination (`Span.destination`: Keiro's host and subset, else the
    /// server address and port, the peer service, or the host of `url.full`) names a canary.
    var destinationIsCanary: Bool {
        if let host = value(destinationHost) {
            return Self.namesCanary(host) || value(destinationSubset).map(Self.namesCanary) == true
        }
        if let address = value(serverAddress) {
            return Self.namesCanary(address) || value(serverPort).map(Self.namesCanary) == true
        }
        if let peerService = value(peerService) { return Self.namesCanary(peerService) }
        guard let url = value(urlFull)?.displayString, let host = URLComponents(string: url)?.host else { return false }
        return Self.containsCanary(host)
    }

    var routedByHeader: Bool { value(routingDecision)?.displayString == "header" }

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

    /// `text.lowercased().contains("canary")` without Foundation, on the UTF-8 bytes: no
    /// non-ASCII character lowercases to one of those ASCII letters.
    private static let canary = Array("canary".utf8)

    private static func containsCanary(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= canary.count else { return false }
            return (0...(bytes.count - canary.count)).contains { start in
                canary.indices.allSatisfy { bytes[start + $0] | 0x20 == canary[$0] }
            }
        }
    }
}

/// A comma-separated list of Envoy response flags (`UT,URX`; `-` for none), searched in
/// place: the ingest path asks it about every span Keiro's proxies wrote.
struct ResponseFlagList {
    private var text: String

    init(_ text: String) {
        self.text = text
    }

    func contains(_ flag: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let flag = UnsafeBufferPointer(start: flag.utf8Start, count: flag.utf8CodeUnitCount)
            var start = 0
            while start <= bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.count
                if end - start == flag.count, zip(bytes[start..<end], flag).allSatisfy({ $0 == $1 }) { return true }
                start = end + 1
            }
            return false
        }
    }
}

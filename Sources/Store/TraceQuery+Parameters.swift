import Analyzer
import Foundation
import KeiroModel

/// A query parameter that could not be used, with the reason in words.
public struct TraceQueryError: Error, Hashable, Sendable, CustomStringConvertible {
    public var parameter: String
    public var reason: String
    public var description: String { "\(parameter): \(reason)" }

    public init(parameter: String, reason: String) {
        self.parameter = parameter
        self.reason = reason
    }
}

extension TraceQuery {
    /// The parameter names `init(parameters:now:)` understands, with what each takes; the
    /// HTTP API (`GET /api/traces?…`, schemas/openapi.yaml) and `keiro traces list` use the
    /// same names.
    public static let parameterHelp: [(name: String, help: String)] = [
        ("service", "a span of the trace was reported by this service"),
        ("operation", "a span has this name, e.g. 'GET /search'"),
        ("route", "a span has this http.route"),
        ("path-prefix", "a span's url.path starts with this"),
        ("header", "name=value (or name:value) of an indexed request header; repeatable, all must match"),
        ("status", "a span answered with this HTTP status code"),
        ("errors", "true: only traces with an ERROR span"),
        ("min-duration", "whole-trace duration at least this (250ms, 1.5s, 2m)"),
        ("max-duration", "whole-trace duration at most this"),
        ("min-span-duration", "some span (of service/operation if given) lasted at least this"),
        ("flag", "flag recorded at ingest; repeatable, all must be present: " + TraceFlags.searchableNames.joined(separator: ", ")),
        ("since", "started within this long before now (e.g. 1h)"),
        ("start", "started at or after: RFC 3339 time or unix nanoseconds"),
        ("end", "started before: RFC 3339 time or unix nanoseconds"),
        ("limit", "at most this many traces (default 20, at most 10000)"),
        ("order", "newest (default), oldest, longest or shortest"),
    ]

    /// The most traces one query may ask for.
    public static let maxLimit = 10_000

    /// Builds a query from textual parameters (repeatable ones may appear several times).
    /// `now` (unix ns) anchors `since`.
    public init(parameters: [(name: String, value: String)], now: UInt64) throws(TraceQueryError) {
        self.init()
        for (name, value) in parameters {
            switch name {
            case "service": service = value
            case "operation": operation = value
            case "route": route = value
            case "path-prefix": pathPrefix = value
            case "header":
                guard let separator = value.firstIndex(where: { $0 == "=" || $0 == ":" }), separator != value.startIndex else {
                    throw TraceQueryError(parameter: name, reason: "'\(value)' is not name=value")
                }
                let header = value[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
                let headerValue = value[value.index(after: separator)...].trimmingCharacters(in: .whitespaces)
                if let earlier = headers[header], earlier != headerValue {
                    throw TraceQueryError(parameter: name, reason: "'\(header)' given twice ('\(earlier)', '\(headerValue)'); one value per header")
                }
                headers[header] = headerValue
            case "status":
                guard let code = Int(value), (100...599).contains(code) else {
                    throw TraceQueryError(parameter: name, reason: "'\(value)' is not an HTTP status code")
                }
                statusCode = code
            case "errors":
                guard let flag = Bool(value.lowercased()) else { throw TraceQueryError(parameter: name, reason: "use true or false") }
                errorsOnly = flag
            case "min-duration": minDuration = try Self.duration(value, name)
            case "max-duration": maxDuration = try Self.duration(value, name)
            case "min-span-duration": minSpanDuration = try Self.duration(value, name)
            case "flag":
                guard let flag = TraceFlags(name: value) else {
                    throw TraceQueryError(
                        parameter: name, reason: "unknown flag '\(value)'; known: " + TraceFlags.searchableNames.joined(separator: ", "))
                }
                guard TraceFlags.searchable.isSuperset(of: flag) else {
                    throw TraceQueryError(
                        parameter: name,
                        reason: "'\(value)' needs the whole request tree and is not recorded at ingest (see it with "
                            + "`keiro traces show`); searchable: " + TraceFlags.searchableNames.joined(separator: ", "))
                }
                flags.insert(value.lowercased())
            case "since":
                let back = try Self.duration(value, name)
                startAfter = now >= back ? now - back : 0
            case "start": startAfter = try Self.time(value, name)
            case "end": startBefore = try Self.time(value, name)
            case "limit":
                guard let count = Int(value), (1...Self.maxLimit).contains(count) else {
                    throw TraceQueryError(parameter: name, reason: "'\(value)' is not a number from 1 to \(Self.maxLimit)")
                }
                limit = count
            case "order":
                guard let parsed = Order(rawValue: value.lowercased()) else {
                    throw TraceQueryError(parameter: name, reason: "use " + Order.allCases.map(\.rawValue).joined(separator: ", "))
                }
                order = parsed
            default:
                throw TraceQueryError(
                    parameter: name, reason: "unknown parameter; known: " + Self.parameterHelp.map(\.name).joined(separator: ", "))
            }
        }
        if let minDuration, let maxDuration, minDuration > maxDuration {
            throw TraceQueryError(parameter: "min-duration", reason: "is greater than max-duration")
        }
    }

    private static func duration(_ text: String, _ parameter: String) throws(TraceQueryError) -> UInt64 {
        guard let duration = DurationSyntax.parse(text) else {
            throw TraceQueryError(parameter: parameter, reason: "'\(text)' is not a duration such as 250ms, 1.5s or 2m")
        }
        return UInt64(duration.nanoseconds)
    }

    private static func time(_ text: String, _ parameter: String) throws(TraceQueryError) -> UInt64 {
        if let nanos = UInt64(text) { return nanos }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text), date.timeIntervalSince1970 >= 0 {
                return UInt64((date.timeIntervalSince1970 * 1e9).rounded())
            }
        }
        throw TraceQueryError(parameter: parameter, reason: "'\(text)' is neither an RFC 3339 time nor unix nanoseconds")
    }
}

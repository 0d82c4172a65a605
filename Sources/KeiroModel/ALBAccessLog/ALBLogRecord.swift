/// One ALB access log line as its fields (see ``ALBLogField``): split from text by
/// ``init(parsing:)``, written back by ``line``. `-` (ALB's "no value") reads as `nil`.
///
/// ```swift
/// var record = ALBLogRecord()
/// record[.type] = "http"
/// record[.request] = "GET http://example.com:80/ HTTP/1.1"
/// let text = record.line          // http - - … "GET http://example.com:80/ HTTP/1.1" …
/// try ALBLogRecord(parsing: text)[.request] == record[.request]
/// ```
public struct ALBLogRecord: Sendable, Hashable {
    /// Why a line could not be split.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }

        /// A failure described by `reason`.
        public init(reason: String) { self.reason = reason }
    }

    /// The values in log order as written (`-` kept); fields past ``ALBLogField`` (newer
    /// than Keiro) are kept too.
    public var values: [String]

    /// A record with every known field `-`.
    public init() {
        values = Array(repeating: "-", count: ALBLogField.allCases.count)
    }

    /// Splits a line: space separated, `"…"` quoted (with `\"` and `\\` escapes).
    /// - Throws: ``Malformed`` for an unterminated quote or fewer than
    ///   ``ALBLogField/minimumCount`` fields.
    public init(parsing line: some StringProtocol) throws(Malformed) {
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
        guard fields.count >= ALBLogField.minimumCount else {
            throw Malformed(reason: "\(fields.count) fields; an ALB access log line has at least \(ALBLogField.minimumCount)")
        }
        values = fields
    }

    /// The field's value; `nil` when absent, empty or `-`. Setting `nil` writes `-`.
    public subscript(field: ALBLogField) -> String? {
        get {
            guard field.rawValue < values.count else { return nil }
            let value = values[field.rawValue]
            return value == "-" || value.isEmpty ? nil : value
        }
        set {
            while values.count <= field.rawValue { values.append("-") }
            values[field.rawValue] = newValue.flatMap { $0.isEmpty ? nil : $0 } ?? "-"
        }
    }

    /// The line as ALB writes it (no newline): quoted fields in `"…"` with `"` and `\`
    /// escaped; any other value that would not read back as one field (a space, a leading
    /// quote) is quoted too.
    public var line: String {
        var text = ""
        text.reserveCapacity(values.reduce(values.count * 3) { $0 + $1.utf8.count })
        for (index, value) in values.enumerated() {
            if index > 0 { text.append(" ") }
            let quoted = ALBLogField(rawValue: index)?.isQuoted ?? false
            if quoted || value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "\\" }) {
                text.append("\"")
                for character in value {
                    if character == "\"" || character == "\\" { text.append("\\") }
                    text.append(character)
                }
                text.append("\"")
            } else {
                text.append(value)
            }
        }
        return text
    }
}

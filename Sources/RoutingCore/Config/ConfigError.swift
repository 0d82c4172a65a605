/// A problem in a routing configuration file, precise enough for the author to fix it:
/// the file, line and column, the field path (`spec.http[0].retries.attempts`) and a
/// message saying what was expected.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier for the kind of problem (for tests and tooling).
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file is not well-formed YAML/JSON.
        public static let syntax = Code(rawValue: "syntax")
        /// The file could not be read.
        public static let unreadable = Code(rawValue: "unreadable")
        /// A document is none of the shapes Keiro knows.
        public static let unknownDocument = Code(rawValue: "unknownDocument")
        /// A key that the shape does not define (typo or wrong level).
        public static let unknownField = Code(rawValue: "unknownField")
        /// An Istio field Keiro does not implement (rejected rather than ignored).
        public static let unsupportedField = Code(rawValue: "unsupportedField")
        /// A required field is absent.
        public static let missingField = Code(rawValue: "missingField")
        /// A value has the wrong YAML type (string where a list was expected, …).
        public static let wrongType = Code(rawValue: "wrongType")
        /// A value is of the right type but out of range or malformed.
        public static let invalidValue = Code(rawValue: "invalidValue")
        /// A duration such as `5x` or `1.5ns`.
        public static let invalidDuration = Code(rawValue: "invalidDuration")
        /// `retries.attempts` below zero.
        public static let negativeAttempts = Code(rawValue: "negativeAttempts")
        /// `perTryTimeout`/`retryOn` set while `attempts` is 0.
        public static let retriesDisabled = Code(rawValue: "retriesDisabled")
        /// A `retryOn` token Envoy does not know.
        public static let unknownRetryOn = Code(rawValue: "unknownRetryOn")
        /// Several destinations whose weights add up to zero.
        public static let zeroTotalWeight = Code(rawValue: "zeroTotalWeight")
        /// A weight outside its allowed range.
        public static let invalidWeight = Code(rawValue: "invalidWeight")
        /// A match block with no condition in it.
        public static let emptyMatch = Code(rawValue: "emptyMatch")
        /// A string match with zero or several of exact/prefix/regex.
        public static let invalidStringMatch = Code(rawValue: "invalidStringMatch")
        /// A regular expression that does not compile or uses non-RE2 syntax.
        public static let invalidRegex = Code(rawValue: "invalidRegex")
        /// A reference (target group, host, subset) to something not defined.
        public static let unknownReference = Code(rawValue: "unknownReference")
        /// The same name, priority or key defined twice.
        public static let duplicate = Code(rawValue: "duplicate")
    }

    /// What kind of problem this is.
    public var code: Code
    /// The file the problem is in.
    public var file: String
    /// 1-based line (0 when the problem is not tied to a line).
    public var line: Int
    /// 1-based column (0 when unknown).
    public var column: Int
    /// Dotted path of the offending field, e.g. `spec.http[0].retries.retryOn`.
    public var field: String
    /// What is wrong and what was expected.
    public var message: String

    /// Creates an error.
    public init(code: Code, file: String, line: Int, column: Int, field: String, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// Creates an error at a source location.
    public init(code: Code, at location: SourceLocation, field: String, message: String) {
        self.init(code: code, file: location.file, line: location.line, column: location.column, field: field, message: message)
    }

    /// `file:line:column: error: field: message`, one line, the way compilers print diagnostics.
    public var description: String {
        let fieldPart = field.isEmpty ? "" : "\(field): "
        return "\(file):\(line):\(column): error: \(fieldPart)\(message)"
    }
}

/// Every problem found in one load, in file order. Thrown by ``ConfigLoader``; loading
/// does not stop at the first problem so an author can fix a file in one pass.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    /// The individual problems (never empty when thrown).
    public var errors: [ConfigError]

    /// Wraps a list of problems.
    public init(_ errors: [ConfigError]) { self.errors = errors }

    /// One problem per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// The AWS `X-Amzn-Trace-Id` header: `;`-separated `key=value` fields such as
/// `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`.
///
/// Every field is kept as received and in order (Root, Self, Parent, Sampled and fields
/// Keiro does not know, such as `Lineage=`), so a proxy re-emits the header faithfully and
/// changes only what it means to change. The typed accessors read and write the fields X-Ray
/// defines:
/// - `Root=1-{8 hex epoch seconds}-{24 hex}`: the trace. Its W3C trace id is the 8 hex digits
///   followed by the 24 (the OpenTelemetry X-Ray propagator's mapping), see ``traceID(root:)``.
/// - `Self=1-{8 hex}-{24 hex}`: added by an ALB in front of an existing Root.
/// - `Parent={16 hex}`: the caller's segment / span id.
/// - `Sampled=1|0|?`: sampled, not sampled, or "decide downstream".
public struct AmazonTraceID: Sendable, Hashable, CustomStringConvertible {
    /// The header name in lowercase.
    public static let headerName = "x-amzn-trace-id"

    /// One `key=value` field, as received.
    public struct Field: Sendable, Hashable {
        /// The key (`Root`, `Self`, `Parent`, `Sampled` or any other).
        public var key: String
        /// The value, untouched.
        public var value: String

        /// Creates a field.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// X-Ray's `Sampled=` values.
    public enum Sampling: String, Sendable, Hashable {
        /// `Sampled=1`.
        case sampled = "1"
        /// `Sampled=0`.
        case notSampled = "0"
        /// `Sampled=?`: the caller asks the next hop to decide.
        case requested = "?"

        /// `true`, `false`, or `nil` for `?` (deferred).
        public var decision: Bool? {
            switch self {
            case .sampled: true
            case .notSampled: false
            case .requested: nil
            }
        }
    }

    /// All fields, in header order.
    public var fields: [Field]

    /// Creates a header from fields.
    public init(fields: [Field]) {
        self.fields = fields
    }

    /// Parses a header value: fields separated by `;` (spaces around them ignored, empty
    /// fields skipped), each `key=value` with a non-empty key. `nil` when a field has no
    /// `=` or no key, or when there are no fields. Field values are not validated here; see
    /// ``root`` and ``isValid``.
    public init?<S: StringProtocol>(header: S) {
        var fields: [Field] = []
        for part in header.split(separator: ";", omittingEmptySubsequences: false) {
            let field = part.trimmingOWS
            if field.isEmpty { continue }
            guard let equals = field.firstIndex(of: "="), equals != field.startIndex else { return nil }
            fields.append(Field(key: String(field[..<equals].trimmingOWS), value: String(field[field.index(after: equals)...].trimmingOWS)))
        }
        guard !fields.isEmpty else { return nil }
        self.init(fields: fields)
    }

    /// Whether the header has a well-formed, non-zero `Root` (what an ALB calls valid).
    public var isValid: Bool { root != nil }

    /// The header value: the fields joined as `key=value` with `;`.
    public var headerValue: String {
        fields.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }

    /// The header value (``headerValue``).
    public var description: String { headerValue }

    /// The first value for `key` (keys compare case-sensitively, as X-Ray writes them).
    public func value(for key: String) -> String? {
        fields.first { $0.key == key }?.value
    }

    /// Replaces the first `key` field's value in place, or appends the field when absent;
    /// `nil` removes every `key` field.
    public mutating func setValue(_ value: String?, for key: String) {
        guard let value else {
            fields.removeAll { $0.key == key }
            return
        }
        if let index = fields.firstIndex(where: { $0.key == key }) {
            fields[index].value = value
        } else {
            fields.append(Field(key: key, value: value))
        }
    }

    /// The `Root` as a W3C trace id, or `nil` when absent, malformed or all-zero.
    public var root: TraceID? {
        value(for: "Root").flatMap(Self.traceID(root:))
    }

    /// The `Self` field's raw value, if any.
    public var selfValue: String? {
        value(for: "Self")
    }

    /// `Parent=` as a span id (`nil` when absent, malformed or zero). Setting replaces the
    /// field in place, or inserts it right after `Root` (else at the end); `nil` removes it.
    public var parent: SpanID? {
        get {
            guard let value = value(for: "Parent"), let id = SpanID(hex: value), id.isValid else { return nil }
            return id
        }
        set {
            guard let newValue else {
                setValue(nil, for: "Parent")
                return
            }
            if fields.contains(where: { $0.key == "Parent" }) {
                setValue(newValue.hexString, for: "Parent")
            } else {
                let field = Field(key: "Parent", value: newValue.hexString)
                if let rootIndex = fields.firstIndex(where: { $0.key == "Root" }) {
                    fields.insert(field, at: rootIndex + 1)
                } else {
                    fields.append(field)
                }
            }
        }
    }

    /// `Sampled=` (`nil` when absent or not one of `1`, `0`, `?`). Setting replaces the field
    /// in place or appends it; `nil` removes it.
    public var sampled: Sampling? {
        get { value(for: "Sampled").flatMap(Sampling.init(rawValue:)) }
        set { setValue(newValue?.rawValue, for: "Sampled") }
    }

    // MARK: Root <-> W3C trace id

    /// The W3C trace id of an X-Ray id `1-{8 hex}-{24 hex}` (Root or Self): the 8 digits
    /// followed by the 24. Hex is read case-insensitively; `nil` when malformed, of another
    /// version than `1`, or all-zero.
    public static func traceID<S: StringProtocol>(root: S) -> TraceID? {
        let bytes = Array(root.utf8)
        guard bytes.count == 35, bytes[0] == UInt8(ascii: "1"), bytes[1] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "-"),
              let traceID = TraceID(hex: String(decoding: bytes[2..<10] + bytes[11..<35], as: UTF8.self)), traceID.isValid
        else { return nil }
        return traceID
    }

    /// The X-Ray id `1-{first 8 hex}-{last 24 hex}` of a trace id (lowercase); the inverse of
    /// ``traceID(root:)``.
    public static func root(for traceID: TraceID) -> String {
        let hex = traceID.hexString
        return "1-\(hex.prefix(8))-\(hex.dropFirst(8))"
    }

    /// A new X-Ray id `1-{now as 8 hex}-{24 random hex}`.
    public static func newRoot(now unixSeconds: UInt64, random: inout some RandomNumberGenerator) -> String {
        "1-\(LowercaseHex.format(UInt32(truncatingIfNeeded: unixSeconds), digits: 8))-\(LowercaseHex.random(count: 24, using: &random))"
    }

    // MARK: ALB behaviour

    /// The `X-Amzn-Trace-Id` value an AWS ALB forwards, given the incoming value (`nil` when
    /// absent):
    /// - absent, unparseable or without a valid Root: a new `Root=1-{now hex}-{24 random hex}`;
    /// - with a valid Root: `Self=1-{now hex}-{24 random hex};` in front of the incoming fields,
    ///   which are kept in order (an existing `Self` is replaced, not repeated).
    ///
    /// `now` is Unix time in seconds (written as 8 hex digits); `random` supplies the 96 bits.
    public static func albHeader(incoming: String?, now unixSeconds: UInt64, random: inout some RandomNumberGenerator) -> String {
        guard let incoming, var header = AmazonTraceID(header: incoming), header.isValid else {
            return "Root=\(newRoot(now: unixSeconds, random: &random))"
        }
        header.insertSelf(now: unixSeconds, random: &random)
        return header.headerValue
    }

    /// What an ALB does to a valid incoming header: a new `Self=1-{now hex}-{24 random hex}`
    /// in front of the other fields (replacing an existing `Self`).
    public mutating func insertSelf(now unixSeconds: UInt64, random: inout some RandomNumberGenerator) {
        fields.removeAll { $0.key == "Self" }
        fields.insert(Field(key: "Self", value: Self.newRoot(now: unixSeconds, random: &random)), at: 0)
    }
}

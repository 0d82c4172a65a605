/// Collects the problems found during one load so that every one is reported, not only
/// the first. Lives only for the duration of ``ConfigLoader`` calls (never shared).
final class Diagnostics {
    private(set) var errors: [ConfigError] = []

    func record(_ code: ConfigError.Code, at location: SourceLocation, field: String, _ message: String) {
        errors.append(ConfigError(code: code, at: location, field: field, message: message))
    }
}

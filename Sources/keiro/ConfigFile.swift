import ArgumentParser
import Foundation
import Yams

/// A flat YAML (or JSON) file of command options, keyed by the options' long names.
struct ConfigFile {
    private let path: String
    private let values: [String: Any]

    init() {
        path = ""
        values = [:]
    }

    init(path: String) throws {
        self.path = path
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read config file \(path): \(error.localizedDescription)")
        }
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw ValidationError("config file \(path) is not valid YAML or JSON: \(error)")
        }
        guard let mapping = loaded as? [String: Any] else {
            throw ValidationError("config file \(path) must be a mapping of option names to values")
        }
        values = mapping
    }

    func string(_ key: String) -> String? {
        values[key].map { "\($0)" }
    }

    func int(_ key: String) throws -> Int? {
        guard let value = values[key] else { return nil }
        guard let int = value as? Int else { throw mismatch(key, "an integer", value) }
        return int
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = values[key] else { return nil }
        guard let bool = value as? Bool else { throw mismatch(key, "true or false", value) }
        return bool
    }

    func strings(_ key: String) -> [String]? {
        guard let value = values[key] else { return nil }
        if let list = value as? [Any] { return list.map { "\($0)" } }
        return ["\(value)"]
    }

    /// Fails on a key that is not an option, so a typo is not silently ignored.
    func rejectUnknownKeys(allowed: Set<String>) throws {
        if let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ValidationError("config file \(path): unknown option '\(unknown)'; known: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private func mismatch(_ key: String, _ expected: String, _ value: Any) -> ValidationError {
        ValidationError("config file \(path): '\(key)' must be \(expected), not '\(value)'")
    }
}

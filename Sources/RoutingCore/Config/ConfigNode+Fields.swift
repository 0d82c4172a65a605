extension [String: ConfigNode] {
    /// The field `key`, recording a `missingField` error at `parent` when absent.
    func required(_ key: String, in parent: ConfigNode) -> ConfigNode? {
        guard let value = self[key] else {
            parent.fail(.missingField, "'\(key)' is required")
            return nil
        }
        return value
    }
}

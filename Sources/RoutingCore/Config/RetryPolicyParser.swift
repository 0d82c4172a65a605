/// Reads Istio `HTTPRetry` (`attempts`, `perTryTimeout`, `retryOn`, `backoff`) with Istio's
/// validation rules and its translation to Envoy (numeric tokens become
/// `retriable-status-codes`; an unset `retryOn` keeps Istio's default conditions).
enum RetryPolicyParser {
    static func parse(_ node: ConfigNode) -> RetryPolicy? {
        let unsupported = ["retryRemoteLocalities": "Keiro has no locality-aware load balancing"]
        guard let fields = node.fields(allowed: ["attempts", "perTryTimeout", "retryOn", "backoff"], unsupported: unsupported)
        else { return nil }
        var attempts = 0
        if let node = fields["attempts"] {
            guard let value = node.int() else { return nil }
            guard value >= 0 else {
                node.fail(.negativeAttempts, "retries.attempts must be ≥ 0, found \(value)")
                return nil
            }
            attempts = value
        }
        if attempts == 0 {
            let extra = ["perTryTimeout", "retryOn", "backoff"].filter { fields[$0] != nil }
            if !extra.isEmpty {
                node.fail(
                    .retriesDisabled,
                    "\(extra.joined(separator: " and ")) set while attempts is \(fields["attempts"] == nil ? "missing (0)" : "0"); retries are disabled, so set attempts ≥ 1 or remove them"
                )
                return nil
            }
            return .disabled
        }
        var policy = RetryPolicy.istioDefault
        policy.attempts = attempts
        if let node = fields["perTryTimeout"] {
            guard let value = node.duration(minimum: .milliseconds(1)) else { return nil }
            policy.perTryTimeout = value
        }
        if let node = fields["backoff"] {
            guard let value = node.duration(minimum: .milliseconds(1)) else { return nil }
            policy.backoff = Backoff.Policy(base: value)
        }
        if let node = fields["retryOn"] {
            guard let (retryOn, codes) = parseRetryOn(node) else { return nil }
            policy.retryOn = retryOn
            policy.retriableStatusCodes = codes
        }
        return policy
    }

    /// Splits `5xx,connect-failure,503` into conditions and status codes.
    static func parseRetryOn(_ node: ConfigNode) -> (RetryOn, [Int])? {
        guard let text = node.string() else { return nil }
        var retryOn: RetryOn = []
        var codes: [Int] = []
        var valid = true
        for rawToken in text.split(separator: ",", omittingEmptySubsequences: false) {
            let token = String(rawToken.trimmingSpaces)
            if let condition = RetryOn.condition(named: token) {
                retryOn.insert(condition)
            } else if let code = Int(token) {
                guard (100...599).contains(code) else {
                    node.fail(.unknownRetryOn, "retryOn status code \(code) is not an HTTP status (100–599)")
                    valid = false
                    continue
                }
                codes.append(code)
            } else if token.isEmpty {
                node.fail(.unknownRetryOn, "retryOn '\(text)' has an empty token; separate tokens with single commas")
                valid = false
            } else {
                let hint = Suggestion.hint(for: token, in: RetryOn.tokens.map(\.token))
                node.fail(.unknownRetryOn, "retryOn token '\(token)' is unknown\(hint)")
                valid = false
            }
        }
        guard valid else { return nil }
        if !codes.isEmpty { retryOn.insert(.retriableStatusCodes) }
        return (retryOn, Array(Set(codes)).sorted())
    }

    /// Reads a route `timeout` into `timeout`: `0s` disables it (Envoy semantics), anything
    /// else must be whole milliseconds. Returns false when invalid (the error is recorded).
    static func routeTimeout(_ node: ConfigNode, into timeout: inout Duration?) -> Bool {
        guard let value = node.duration(minimum: .zero) else { return false }
        timeout = value == .zero ? nil : value
        return true
    }

    /// A route's `retries` and `timeout` fields, with Istio's defaults when unset. `ok` is
    /// false when either is invalid (the error is recorded).
    static func routePolicies(
        _ fields: [String: ConfigNode]
    ) -> (retries: RetryPolicy, source: Route.PolicySource, timeout: Duration?, ok: Bool) {
        var result = (retries: RetryPolicy.istioDefault, source: Route.PolicySource.istioDefault, timeout: Duration?.none, ok: true)
        if let retriesNode = fields["retries"] {
            if let policy = parse(retriesNode) {
                result.retries = policy
                result.source = .configured
            } else {
                result.ok = false
            }
        }
        if let timeoutNode = fields["timeout"] {
            result.ok = routeTimeout(timeoutNode, into: &result.timeout) && result.ok
        }
        return result
    }
}

import KeiroModel
/// How a batch the collector could not take is retried.
///
/// Only answers that mean "try again later" are retried — HTTP 429, 502, 503 and 504 — and
/// failures to reach the collector at all (connection refused or reset, timeouts). Any other
/// status drops the batch. A `Retry-After` header (delay in seconds) sets the wait;
/// otherwise the wait grows exponentially from ``initialBackoff`` by ``backoffMultiplier``
/// up to ``maxBackoff``, scaled by a random factor in `1 ± jitter`.
///
/// A batch is given up (and its spans counted as dropped) after ``maxAttempts`` requests,
/// or when the next attempt would start later than ``maxElapsed`` after the first one (or
/// after the shutdown flush deadline).
public struct ExportRetryPolicy: Sendable, Hashable {
    /// Requests per batch, the first included; 1 disables retries. Default 5.
    public var maxAttempts: Int
    /// Wait before the first retry, before jitter. Default 500 ms.
    public var initialBackoff: Duration
    /// Longest computed wait between attempts (a longer `Retry-After` is still honoured
    /// while it fits in ``maxElapsed``). Default 5 s.
    public var maxBackoff: Duration
    /// Growth of the wait per attempt. Default 2.
    public var backoffMultiplier: Double
    /// Relative spread of each wait: 0.2 means ×0.8…×1.2. Default 0.2.
    public var jitter: Double
    /// Time from a batch's first attempt after which it is not retried again. Default 30 s.
    public var maxElapsed: Duration

    /// The defaults above, each overridable.
    public init(
        maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(5),
        backoffMultiplier: Double = 2, jitter: Double = 0.2, maxElapsed: Duration = .seconds(30)
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.backoffMultiplier = backoffMultiplier
        self.jitter = jitter
        self.maxElapsed = maxElapsed
    }

    /// Whether an HTTP status means "try again later".
    static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 502 || status == 503 || status == 504
    }

    /// The wait after the `attempt`-th failed request (1-based), with `random` in `0..<1`
    /// picking the jitter.
    func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let base = min(Self.seconds(initialBackoff) * Self.power(backoffMultiplier, exponent), Self.seconds(maxBackoff))
        let factor = 1 + jitter * (2 * min(max(random, 0), 1) - 1)
        return .nanoseconds(Int64(max(0, base * factor) * 1e9))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.nanoseconds) / 1e9
    }

    private static func power(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) {
            result *= base
            if result > 1e9 { break }  // far beyond any sensible maxBackoff
        }
        return result
    }

    /// Parses a `Retry-After` value given in seconds; `nil` for anything else (an HTTP
    /// date, garbage, a negative number).
    static func retryAfter(_ header: String?) -> Duration? {
        guard let header, let seconds = Int(header.trimmingSpaces), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}

import AsyncHTTPClient
import KeiroModel
import Logging
import NIOCore
import RoutingCore

/// The one AsyncHTTPClient `HTTPClient` (connection pool) a proxy sends every upstream
/// try through, and the mapping from its errors to RoutingCore's ``AttemptOutcome``.
struct UpstreamClient: Sendable {
    let client: HTTPClient

    /// A pooled client: a refused connection fails the try at once (RoutingCore decides
    /// about retrying, not AsyncHTTPClient), connects are bounded by `connectTimeout`.
    static func makeClient(_ configuration: ProxyConfiguration) -> HTTPClient {
        var client = HTTPClient.Configuration()
        client.connectionPool.retryConnectionEstablishment = false
        client.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxConnectionsPerHost
        client.timeout.connect = .nanoseconds(configuration.connectTimeout.nanoseconds)
        client.decompression = .disabled
        client.redirectConfiguration = .disallow
        // The proxy records its own CLIENT span per try; AsyncHTTPClient's swift-distributed-
        // tracing spans would duplicate them (and cost ~4 % of a proxied request).
        client.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: client)
    }

    /// Sends `request` and waits for the response head until `deadline`
    /// (AsyncHTTPClient's deadline ends at the head; the body is bounded by ``BodyRelay``).
    func head(_ request: HTTPClientRequest, deadline: ContinuousClock.Instant?, logger: Logger) async throws -> HTTPClientResponse {
        let nioDeadline: NIODeadline
        if let deadline {
            let remaining = ContinuousClock.now.duration(to: deadline)
            nioDeadline = .now() + .nanoseconds(max(0, remaining.nanoseconds))
        } else {
            nioDeadline = .distantFuture
        }
        return try await client.execute(request, deadline: nioDeadline, logger: logger)
    }

    /// How a failed try ended, for the retry state machine, and the `error.type` to record.
    static func classify(_ error: any Error) -> (outcome: AttemptOutcome, errorType: String) {
        if error is AttemptTimeout { return (.timedOut, "timeout") }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout: return (.timedOut, "timeout")
            case .connectTimeout, .getConnectionFromPoolTimeout: return (.connectFailure, "connect_timeout")
            case .remoteConnectionClosed: return (.reset, "connection_reset")
            default: return (.reset, "\(error)")
            }
        }
        if let error = error as? IOError, Self.connectErrnos.contains(error.errnoCode) {
            return (.connectFailure, "connection_refused")
        }
        let name = String(describing: type(of: error))
        if name.contains("NIOConnectionError") || name.contains("ConnectTimeout") {
            return (.connectFailure, "connection_refused")
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return (.connectFailure, "connect_timeout")
        }
        return (.reset, name)
    }

    /// ECONNREFUSED, ENETUNREACH, EHOSTUNREACH on Linux.
    private static let connectErrnos: Set<CInt> = [111, 101, 113]
}

/// A try's deadline passed.
struct AttemptTimeout: Error {}

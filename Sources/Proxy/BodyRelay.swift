import NIOCore

/// Reading an upstream response body into the caller's response. The try's deadline
/// bounds the body at its connection (``UpstreamConnection``: reading past it throws
/// ``AttemptTimeout``); stopping early (the caller went away) closes that connection.
enum BodyRelay {
    /// Reading the upstream body failed (including ``AttemptTimeout``).
    struct UpstreamFailure: Error { var underlying: any Error }
    /// Writing to the caller failed (the caller went away).
    struct DownstreamFailure: Error { var underlying: any Error }

    /// Streams `body` into `write` until its end.
    /// - Throws: ``UpstreamFailure`` or ``DownstreamFailure``.
    static func relay(_ body: UpstreamBody, to write: (ByteBuffer) async throws -> Void) async throws {
        let iterator = body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do { chunk = try await iterator.next() } catch { throw UpstreamFailure(underlying: error) }
            guard let chunk else { return }
            do { try await write(chunk) } catch { throw DownstreamFailure(underlying: error) }
        }
    }

    /// Reads and discards up to `limit` bytes of a response that will not be relayed (a
    /// retried try), so its connection can go back to the pool; stops early on error.
    static func drain(_ body: UpstreamResponseBody, limit: Int = 1 << 20) async {
        guard case .streaming(let body) = body else { return }
        var read = 0
        try? await relay(body) { chunk in
            read += chunk.readableBytes
            if read >= limit { throw CancellationError() }
        }
    }
}

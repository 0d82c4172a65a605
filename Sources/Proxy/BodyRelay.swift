import AsyncHTTPClient
import NIOCore

/// Reading an upstream response body under the try's deadline. AsyncHTTPClient's
/// `execute(_:deadline:)` stops at the head, but Envoy's per-try and route timeouts cover
/// the whole response; so with a deadline one reader task pulls the body (one chunk ahead
/// of the writer, so memory stays bounded) and a timer task ends the stream with
/// ``AttemptTimeout`` when the deadline passes. Leaving the task group cancels the reader,
/// which makes AsyncHTTPClient close the upstream connection.
enum BodyRelay {
    /// Reading the upstream body failed (including ``AttemptTimeout``).
    struct UpstreamFailure: Error { var underlying: any Error }
    /// Writing to the caller failed (the caller went away).
    struct DownstreamFailure: Error { var underlying: any Error }

    /// Streams `body` into `write` until the end, or until `deadline`.
    /// - Throws: ``UpstreamFailure`` or ``DownstreamFailure``; `CancellationError` when the
    ///   calling task is cancelled.
    static func relay(
        _ body: HTTPClientResponse.Body, deadline: ContinuousClock.Instant?,
        to write: (ByteBuffer) async throws -> Void
    ) async throws {
        guard let deadline else {
            var iterator = body.makeAsyncIterator()
            while true {
                let chunk: ByteBuffer?
                do { chunk = try await iterator.next() } catch { throw UpstreamFailure(underlying: error) }
                guard let chunk else { return }
                do { try await write(chunk) } catch { throw DownstreamFailure(underlying: error) }
            }
        }
        let (chunks, chunkSink) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let (demand, demandSink) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var wanted = demand.makeAsyncIterator()
                do {
                    for try await chunk in body {
                        chunkSink.yield(chunk)
                        // Wait until the writer took it; nil: the writer stopped or we were cancelled.
                        guard await wanted.next() != nil else { return }
                    }
                    chunkSink.finish()
                } catch {
                    chunkSink.finish(throwing: UpstreamFailure(underlying: error))
                }
            }
            group.addTask {
                do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
                chunkSink.finish(throwing: UpstreamFailure(underlying: AttemptTimeout()))
            }
            defer {
                demandSink.finish()
                group.cancelAll()
            }
            for try await chunk in chunks {
                do { try await write(chunk) } catch { throw DownstreamFailure(underlying: error) }
                demandSink.yield()
            }
            // A stream iteration ends quietly when this task is cancelled: that is no end of body.
            try Task.checkCancellation()
        }
    }

    /// Reads and discards up to `limit` bytes of a response that will not be relayed (a
    /// retried try), so its connection can go back to the pool; stops early on error or
    /// at the deadline.
    static func drain(_ body: HTTPClientResponse.Body, deadline: ContinuousClock.Instant?, limit: Int = 1 << 20) async {
        var read = 0
        try? await relay(body, deadline: deadline) { chunk in
            read += chunk.readableBytes
            if read >= limit { throw CancellationError() }
        }
    }
}

import KeiroModel

/// What one `prune(olderThan:now:)` dropped.
public struct PruneOutcome: Sendable, Equatable {
    /// Segments dropped, with their spans, traces and chunks.
    public var segments = 0
    public var spans = 0
    public var traces = 0
    public var chunks = 0

    public init(segments: Int = 0, spans: Int = 0, traces: Int = 0, chunks: Int = 0) {
        self.segments = segments
        self.spans = spans
        self.traces = traces
        self.chunks = chunks
    }
}

extension SQLiteSpanStore {
    /// Drops, oldest first, every segment last written more than `age` before `now` (Unix
    /// nanoseconds, as the segments' write times), except
    /// the newest and any the index does not cover yet (`StoreConfiguration.retention`;
    /// `run()` calls this on its own thread when that is set). Each segment goes in two
    /// transactions: its search index first, so no reader finds a trace whose chunks are
    /// gone (a reader that already had it reads the chunks that are left), then its chunks.
    /// Blocks on both files' writers.
    @discardableResult
    public func prune(olderThan age: Duration, now: UInt64 = unixNanosNow()) throws -> PruneOutcome {
        let (cutoff, beforeTime) = Int64(now).subtractingReportingOverflow(age.nanoseconds)
        if beforeTime { return PruneOutcome() }
        let expired = try pool.read { db in try Retention.expiredSegments(before: cutoff, db) }
        var outcome = PruneOutcome()
        let clock = ContinuousClock()
        for segment in expired {
            let started = clock.now
            let traces = try index.writer.write { db in
                let traces = try Retention.dropIndex(segment, db)
                if traces != nil { recentHomes.withLock { $0.forget(segmentsThrough: segment.id) } }
                return traces
            }
            // Not indexed yet: the next prune drops it.
            guard let traces else { break }
            outcome.traces += traces
            outcome.chunks += try pool.write { db in
                try Retention.dropChunks(throughSegment: segment.id, below: segment.nextFirstChunk, db)
            }
            outcome.segments += 1
            outcome.spans += segment.spanCount
            onCommit?(.retention, clock.now - started, segment.spanCount)
        }
        return outcome
    }

    /// Prunes every `Retention.checkInterval(for:)` until cancelled.
    func retentionLoop(_ age: Duration) async {
        while (try? await Task.sleep(for: Retention.checkInterval(for: age))) != nil {
            do {
                let outcome = try prune(olderThan: age)
                if outcome.segments > 0 {
                    logger.info(
                        "retention dropped expired segments",
                        metadata: [
                            "segments": "\(outcome.segments)", "spans": "\(outcome.spans)", "traces": "\(outcome.traces)",
                            "chunks": "\(outcome.chunks)",
                        ])
                }
            } catch {
                logger.error("expired segments not dropped yet; retrying", metadata: ["error": "\(error)"])
            }
        }
    }
}

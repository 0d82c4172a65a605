-- Keiro span store, version 2: spans in compressed chunks instead of a row per span.
--
-- Version 1 wrote ~8 B-tree entries per span (row, identity, service/time, search
-- entries, summary), and ingest was bound by them (docs/BENCHMARKS.md). Now a batch is
-- split into trace parts — the spans of one trace reported under one resource and scope
-- — and parts are packed into chunks of ~32 KiB that are deflated and appended. Per part
-- the writer adds one digest (deduplication), one summary upsert and one search entry per
-- distinct indexed value of the trace: per trace, not per span.
-- Spans of version-1 files are converted by the migration step that follows this file
-- (Migrations.swift); 0003 then drops the version-1 tables.

-- Compressed trace parts. `body` is raw deflate of the ChunkCodec layout; `raw_size` its
-- inflated length.
CREATE TABLE chunks (
    id          INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    span_count  INTEGER NOT NULL,
    raw_size    INTEGER NOT NULL,
    body        BLOB    NOT NULL
) STRICT;

-- Content hashes of the parts stored in each segment: a part posted again (a retried
-- export) is recognised and stored once. Envoy's shared client/server span ids are two
-- spans of one part, so both are kept.
CREATE TABLE part_digests (
    segment INTEGER NOT NULL REFERENCES segments(id),
    digest  INTEGER NOT NULL,
    PRIMARY KEY (segment, digest)
) STRICT, WITHOUT ROWID;

-- The search index, per trace: one row per indexed key and distinct value that a trace's
-- spans carry (service.name, http.route, url.path, status, configured request headers),
-- with the trace's start so that each value's traces are found newest first. Partitioned
-- by segment like everything with random keys (request ids, paths): inserts touch only
-- the newest segment's pages; searches walk segments newest first.
CREATE TABLE trace_search (
    segment  INTEGER NOT NULL REFERENCES segments(id),
    key_id   INTEGER NOT NULL REFERENCES index_keys(id),
    value    TEXT    NOT NULL,
    start_ns INTEGER NOT NULL,
    trace_id BLOB    NOT NULL,
    PRIMARY KEY (segment, key_id, value, start_ns, trace_id)
) STRICT, WITHOUT ROWID;

-- Where a trace's spans are: the ids of its chunks (varints), appended as parts arrive.
ALTER TABLE traces ADD COLUMN chunks BLOB NOT NULL DEFAULT x'';

INSERT OR IGNORE INTO trace_search (segment, key_id, value, start_ns, trace_id)
    SELECT (SELECT min(segment) FROM spans s WHERE s.trace_id = si.trace_id), key_id, value, min(start_ns), trace_id
    FROM span_index si GROUP BY key_id, value, trace_id;

INSERT OR IGNORE INTO index_keys (name) VALUES ('service.name');
INSERT OR IGNORE INTO trace_search (segment, key_id, value, start_ns, trace_id)
    SELECT s.segment, (SELECT id FROM index_keys WHERE name = 'service.name'), sv.name, min(s.start_ns), s.trace_id
    FROM spans s JOIN services sv ON sv.id = s.service_id
    GROUP BY s.segment, s.service_id, s.trace_id;

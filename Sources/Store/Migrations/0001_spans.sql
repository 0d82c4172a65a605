-- Keiro span store, version 1.
--
-- Writes must stay cheap however large the file grows, so nothing on the ingest path is
-- a B-tree keyed by a random value over all of history. Span rows are appended in arrival
-- order (rowid). Everything keyed by trace id is partitioned by *segment*: a run of about
-- 256k consecutively stored spans. Inserts touch only the current segment's part of those
-- indexes (a few thousand pages that stay in cache), and a lookup by trace id probes each
-- segment (one index seek each). Within a segment the same span posted twice is stored
-- once; readers collapse the rare copy that straddles a segment boundary.
-- Envoy's shared client/server span ids stay two rows because their kinds differ.

CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    span_count INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Service names, interned.
CREATE TABLE services (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

-- Resource + instrumentation scope pairs, interned: a batch of 2,000 spans from one
-- process stores its resource once. `body` is the binary encoding (SpanBodyCodec).
CREATE TABLE resources (
    id         INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL REFERENCES services(id),
    body       BLOB NOT NULL UNIQUE
) STRICT;

CREATE TABLE spans (
    segment     INTEGER NOT NULL REFERENCES segments(id),
    trace_id    BLOB    NOT NULL,            -- 16 bytes, big-endian
    span_id     INTEGER NOT NULL,            -- 64-bit id as a signed integer (bit pattern)
    kind        INTEGER NOT NULL,            -- OTLP SpanKind
    parent_id   INTEGER,                     -- NULL for a root span
    service_id  INTEGER NOT NULL REFERENCES services(id),
    resource_id INTEGER NOT NULL REFERENCES resources(id),
    name        TEXT    NOT NULL,
    start_ns    INTEGER NOT NULL,            -- unix nanoseconds
    duration_ns INTEGER NOT NULL,
    status_code INTEGER NOT NULL,            -- OTLP StatusCode
    body        BLOB    NOT NULL             -- attributes, events, links, status message, trace state, flags
) STRICT;

CREATE UNIQUE INDEX spans_identity ON spans(segment, trace_id, span_id, kind);
CREATE INDEX spans_by_service_time ON spans(service_id, start_ns);

-- Attribute keys that have an index (route, path, status, configured request headers).
CREATE TABLE index_keys (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

-- The narrow search index: one row per indexed attribute of a span. Keyed by time within
-- each value, so inserts append.
CREATE TABLE span_index (
    key_id   INTEGER NOT NULL REFERENCES index_keys(id),
    value    TEXT    NOT NULL,
    start_ns INTEGER NOT NULL,
    trace_id BLOB    NOT NULL,
    span_id  INTEGER NOT NULL,
    PRIMARY KEY (key_id, value, start_ns, trace_id, span_id)
) STRICT, WITHOUT ROWID;

-- Per-trace summaries, one row per trace and segment, kept right while a trace's spans
-- arrive out of order over many batches; readers merge a trace's rows (usually one).
-- The root is the parentless span (earliest if several); until one arrives the earliest
-- span stands in (root_has_parent = 1).
CREATE TABLE traces (
    segment         INTEGER NOT NULL REFERENCES segments(id),
    trace_id        BLOB    NOT NULL,
    start_ns        INTEGER NOT NULL,
    end_ns          INTEGER NOT NULL,
    duration_ns     INTEGER GENERATED ALWAYS AS (end_ns - start_ns) VIRTUAL,
    span_count      INTEGER NOT NULL,
    error_count     INTEGER NOT NULL,
    root_span_id    INTEGER NOT NULL,
    root_has_parent INTEGER NOT NULL,
    root_start_ns   INTEGER NOT NULL,
    root_service_id INTEGER NOT NULL REFERENCES services(id),
    root_name       TEXT    NOT NULL,
    root_route      TEXT,                    -- http.route of the root, else url.path (Zipkin: http.path)
    flags           INTEGER NOT NULL DEFAULT 0, -- analyzer flags (retried, timeout, canary …)
    PRIMARY KEY (segment, trace_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX traces_by_start ON traces(start_ns);
CREATE INDEX traces_by_duration ON traces(segment, duration_ns);

-- Keiro's search index: its own SQLite file beside the span store (`<db>-index`).
--
-- Everything here is derived from the store's chunks and can be rebuilt from them. It
-- lives in its own file because SQLite lets one writer at a time into a file: with the
-- index in the store's file, a chunk commit (which a batch's acknowledgement waits for)
-- waited behind each index run. Now the store's writer commits chunks while the indexer
-- writes this file, each on its own thread. (Queries see both files: readers ATTACH this
-- one as `idx`; table names are unique across the two.)
--
-- The tables are those of schemas/sqlite/0001–0005, moved here by 0006.

-- Which store file this index belongs to, and how far it has indexed it: every chunk
-- with an id up to `indexed_through` is in the index; later ones are indexed when the
-- indexer gets to them, or from the chunks themselves when the store next opens.
CREATE TABLE index_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    store_id        BLOB    NOT NULL,        -- store_identity.store_id of the span store
    indexed_through INTEGER NOT NULL
) STRICT;

-- Attribute keys that have search entries (route, path, status, configured headers …).
CREATE TABLE index_keys (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

-- Per segment of the store (`segments`): the traces homed there, the range of their
-- starts and their longest duration. `min_start_ns` and `max_duration_ns` are exact,
-- `max_start_ns` an upper bound (a trace's start only moves earlier as spans arrive).
CREATE TABLE segment_bounds (
    id              INTEGER PRIMARY KEY,
    trace_count     INTEGER NOT NULL DEFAULT 0,
    min_start_ns    INTEGER,
    max_start_ns    INTEGER,
    max_duration_ns INTEGER
) STRICT;

-- Trace id → home segment: one random-key insert per trace.
CREATE TABLE trace_homes (
    trace_id BLOB    NOT NULL PRIMARY KEY,
    segment  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- One summary row per trace, in its home segment (see schemas/sqlite/0001 and 0004).
CREATE TABLE traces (
    segment         INTEGER NOT NULL,
    trace_id        BLOB    NOT NULL,
    start_ns        INTEGER NOT NULL,
    end_ns          INTEGER NOT NULL,
    duration_ns     INTEGER GENERATED ALWAYS AS (end_ns - start_ns) VIRTUAL,
    span_count      INTEGER NOT NULL,
    error_count     INTEGER NOT NULL,
    root_span_id    INTEGER NOT NULL,
    root_has_parent INTEGER NOT NULL,
    root_start_ns   INTEGER NOT NULL,
    root_service_id INTEGER NOT NULL,        -- services.id of the store
    root_name       TEXT    NOT NULL,
    root_route      TEXT,
    flags           INTEGER NOT NULL DEFAULT 0,
    chunks          BLOB    NOT NULL DEFAULT x'',  -- ids of the store's chunks holding its spans (varints)
    PRIMARY KEY (segment, trace_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX traces_by_start ON traces(segment, start_ns, end_ns);
CREATE INDEX traces_by_duration ON traces(segment, duration_ns);

-- One row per indexed key and distinct value of a trace, in its home segment.
CREATE TABLE trace_search (
    segment  INTEGER NOT NULL,
    key_id   INTEGER NOT NULL REFERENCES index_keys(id),
    value    TEXT    NOT NULL,
    trace_id BLOB    NOT NULL,
    PRIMARY KEY (segment, key_id, value, trace_id)
) STRICT, WITHOUT ROWID;

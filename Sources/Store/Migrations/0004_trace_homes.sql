-- Keiro span store, version 3: one summary row per trace, in the trace's home segment.
--
-- Version 2 wrote a trace's summary and search entries into whatever segment was current
-- when each part arrived, so a trace exported by processes a minute apart had a summary
-- row in each of two segments (1.4 rows per trace in the query benchmark), every lookup
-- by trace id probed every segment, and no summary row could be trusted on its own: a
-- search had to merge each candidate's rows before checking its duration or start, and a
-- value seen by three services of one trace got three search entries.
--
-- Now `trace_homes` records the segment where each trace was first stored; every later
-- part of the trace updates the summary row there and adds its search entries there.
-- A lookup by trace id is two seeks, a segment's summary rows are whole traces (duration
-- and start bounds go into SQL), and a trace has one search entry per indexed value.
-- `segments` keeps the bounds of its traces' starts and durations so that a search skips
-- segments outside its time range or below its minimum duration, and stops once no
-- remaining segment can hold a newer (or longer) trace.
-- Split summaries of version-2 files are merged by the Swift step that follows this
-- file (Migrations.swift), which also fills the segment bounds.

-- Trace id → home segment: one random-key insert per trace (not per part or span).
CREATE TABLE trace_homes (
    trace_id BLOB    NOT NULL PRIMARY KEY,
    segment  INTEGER NOT NULL REFERENCES segments(id)
) STRICT, WITHOUT ROWID;

INSERT INTO trace_homes (trace_id, segment) SELECT trace_id, min(segment) FROM traces GROUP BY trace_id;

-- Traces homed in the segment, the range of their starts and their longest duration:
-- `min_start_ns` and `max_duration_ns` are exact, `max_start_ns` an upper bound (a
-- trace's start only moves earlier as spans arrive).
ALTER TABLE segments ADD COLUMN trace_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE segments ADD COLUMN min_start_ns INTEGER;
ALTER TABLE segments ADD COLUMN max_start_ns INTEGER;
ALTER TABLE segments ADD COLUMN max_duration_ns INTEGER;

-- The search index without the start (it now comes from the trace's one summary row), so
-- an indexed value is stored once per trace.
CREATE TABLE trace_values (
    segment  INTEGER NOT NULL REFERENCES segments(id),
    key_id   INTEGER NOT NULL REFERENCES index_keys(id),
    value    TEXT    NOT NULL,
    trace_id BLOB    NOT NULL,
    PRIMARY KEY (segment, key_id, value, trace_id)
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO trace_values (segment, key_id, value, trace_id)
    SELECT h.segment, s.key_id, s.value, s.trace_id FROM trace_search s JOIN trace_homes h USING (trace_id)
    ORDER BY 1, 2, 3, 4;
DROP TABLE trace_search;
ALTER TABLE trace_values RENAME TO trace_search;

-- Newest-first walks within a segment; the end makes the index cover duration bounds.
DROP INDEX traces_by_start;
CREATE INDEX traces_by_start ON traces(segment, start_ns, end_ns);

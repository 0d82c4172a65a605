-- The index tables that 0006 copied into the index file.
DROP TABLE unindexed_chunks;
DROP TABLE trace_search;
DROP TABLE traces;
DROP TABLE trace_homes;
DROP TABLE index_keys;
ALTER TABLE segments DROP COLUMN trace_count;
ALTER TABLE segments DROP COLUMN min_start_ns;
ALTER TABLE segments DROP COLUMN max_start_ns;
ALTER TABLE segments DROP COLUMN max_duration_ns;

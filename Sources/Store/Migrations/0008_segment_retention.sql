-- Keiro span store, version 6: segments carry what retention needs.
--
-- Retention (`StoreConfiguration.retention`) drops the oldest segments whole once they
-- were last written longer ago than the retention: their chunks, digests and search
-- index. A segment now records
-- - `first_chunk`: the id the first chunk written while it was the newest segment got (the
--   largest chunk id then, plus one). Every chunk below the oldest remaining segment's
--   first chunk belongs to dropped segments, so dropping is one range delete.
-- - `last_write_ns`: when a chunk was last written into it (unix ns, the collector's clock).
-- - `created_ns`: when it was made. With a retention, the newest segment is also closed
--   once it is a quarter of the retention old, so that little traffic does not keep one
--   segment (which is never dropped while it is the newest) open past the retention.
-- Segments made before this migration have no first chunk (their chunks go once a segment
-- made after it is the oldest) and count as made and written when it ran.

ALTER TABLE segments ADD COLUMN first_chunk INTEGER;
ALTER TABLE segments ADD COLUMN last_write_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE segments ADD COLUMN created_ns INTEGER NOT NULL DEFAULT 0;
UPDATE segments SET last_write_ns = CAST((julianday('now') - 2440587.5) * 86400000000000.0 AS INTEGER),
                    created_ns = CAST((julianday('now') - 2440587.5) * 86400000000000.0 AS INTEGER);

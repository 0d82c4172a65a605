-- Keiro span store, version 4: the search index is built behind the commit.
--
-- A write group used to store its chunks and update the trace summaries, homes and search
-- entries in one transaction. Under load a group holds a few batches, each from one
-- service, so a trace's parts arrive in many groups and every group repeated the summary
-- upsert and the search entries of each trace it touched, into index pages that every
-- small commit wrote to the WAL again (docs/BENCHMARKS.md: ingest was bound by it).
--
-- Now a group commits its chunks and digests (a batch is acknowledged after that commit:
-- its spans are durable and never stored twice), lists the new chunks here, and the
-- writer indexes the chunks listed in larger runs — ~250 ms after the oldest, sooner
-- when 65,536 spans wait or a reader asks — removing them from this list in the same
-- transaction. After a crash the store indexes whatever is still listed, from the chunks
-- themselves, when it next opens.
CREATE TABLE unindexed_chunks (
    id INTEGER PRIMARY KEY REFERENCES chunks(id)
) STRICT;

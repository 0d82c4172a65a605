-- Keiro span store, version 5: the search index moves to its own file (`<db>-index`,
-- schemas/sqlite/index/): summaries, homes, search entries, index keys and segment
-- bounds. See index/0001_search_index.sql for why.
--
-- The identity ties an index file to its store: an index file whose store id differs
-- (the store file was replaced beside it) is emptied and rebuilt from the chunks.
-- The Swift step that follows this file copies the existing index into the index file,
-- in the index file's own transaction (it is redone if this one does not commit);
-- 0007 then drops the tables here.
CREATE TABLE store_identity (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    store_id BLOB    NOT NULL
) STRICT;

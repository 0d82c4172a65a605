/// The settings of a connection to the span file or the index file.
enum ConnectionPragmas {
    /// `synchronous` (`NORMAL` or `FULL`), a page cache of `cacheKiB`, a checkpoint every
    /// 10,000 WAL pages (~40 MiB, bounding the WAL) and reads through `mmap`. The caches:
    /// 256 MiB for the index file's writer, which updates summaries and homes all over its
    /// file; 32 MiB for the span file's writer, which appends chunks and looks up only the
    /// current segment's digests (a larger cache only kept pages it never read again, each
    /// one fresh memory: ~0.2 µs per ingested span in page faults on this VM); 16 MiB for readers.
    static func sql(synchronous: String, cacheKiB: Int) -> String {
        """
        PRAGMA synchronous = \(synchronous); PRAGMA cache_size = -\(cacheKiB);
        PRAGMA wal_autocheckpoint = 10000; PRAGMA mmap_size = 4294967296
        """
    }
}

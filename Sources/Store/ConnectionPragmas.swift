/// The settings of a connection to the span file or the index file.
enum ConnectionPragmas {
    /// `synchronous` (`NORMAL` or `FULL`), a page cache of `cacheKiB` (256 MiB for the
    /// writers, 16 MiB for readers), a checkpoint every 10,000 WAL pages (~40 MiB, bounding
    /// the WAL) and reads through `mmap`.
    static func sql(synchronous: String, cacheKiB: Int) -> String {
        """
        PRAGMA synchronous = \(synchronous); PRAGMA cache_size = -\(cacheKiB);
        PRAGMA wal_autocheckpoint = 10000; PRAGMA mmap_size = 4294967296
        """
    }
}

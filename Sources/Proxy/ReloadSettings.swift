/// When a proxy re-reads its route config (``ProxyConfiguration/reload``).
public struct ReloadSettings: Sendable, Hashable {
    /// The files and the kind of route sets to take from them.
    public var source: RouteSource
    /// Reload on `SIGHUP`. Default true (the `keiro` proxy commands); the signal is
    /// process-wide, so tests with several proxies in one process leave it off.
    public var onSIGHUP: Bool
    /// How often the files' modification time, size and inode are compared with the last
    /// reading; a change triggers a reload. Default 1 s; nil: no polling.
    public var pollInterval: Duration?

    /// Settings with the defaults above.
    public init(source: RouteSource, onSIGHUP: Bool = true, pollInterval: Duration? = .seconds(1)) {
        self.source = source
        self.onSIGHUP = onSIGHUP
        self.pollInterval = pollInterval
    }
}

/// Polls `condition` until it holds or `limit` passes; true when it held. For tests that
/// wait on background work (exporters, writers, reloads) without fixed sleeps.
public func eventually(within limit: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now.advanced(by: limit)
    while ContinuousClock.now < end, !Task.isCancelled {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

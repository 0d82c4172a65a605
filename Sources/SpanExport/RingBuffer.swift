/// A fixed-capacity FIFO that overwrites its oldest element when full.
///
/// Storage is allocated once, at the first append, so appending never reallocates.
struct RingBuffer<Element> {
    /// Most elements held at once (at least 1).
    let capacity: Int
    private var storage: ContiguousArray<Element?> = []
    private var head = 0
    /// Elements held now.
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a ring buffer needs room for at least one element")
        self.capacity = capacity
    }

    var isEmpty: Bool { count == 0 }

    /// Appends `element`; when full, the oldest element is removed to make room and returned.
    @discardableResult
    mutating func append(_ element: Element) -> Element? {
        if storage.isEmpty { storage = ContiguousArray(repeating: nil, count: capacity) }
        if count < capacity {
            storage[(head + count) % capacity] = element
            count += 1
            return nil
        }
        let evicted = storage[head]
        storage[head] = element
        head = (head + 1) % capacity
        return evicted
    }

    /// Removes and returns the oldest element; nil when empty.
    mutating func removeFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head].take()
        head = (head + 1) % capacity
        count -= 1
        if count == 0 { head = 0 }
        return element
    }
}

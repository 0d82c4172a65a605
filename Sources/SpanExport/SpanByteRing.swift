import OTLPWire

/// The export queue's storage: serialized spans back to back in one circular byte buffer,
/// allocated once, with their lengths in a ring beside it. A fixed number of spans and of
/// bytes; when either is full the oldest spans make room.
///
/// Spans are copied in and copied out, so memory a proxy allocates on its event loops is
/// freed there, never on the exporter's thread: with the span arrays themselves queued,
/// glibc's malloc cost the proxy ~3 µs per request (its per-thread caches never refill
/// when one thread allocates and another frees).
struct SpanByteRing: ~Copyable {
    /// Most spans held at once.
    let capacity: Int
    /// Most bytes held at once; a larger span is not kept.
    let byteCapacity: Int
    private var storage: UnsafeMutableRawBufferPointer?
    private var lengths: RingBuffer<Int>
    /// Offset of the oldest span's first byte.
    private var head = 0
    private(set) var byteCount = 0

    init(capacity: Int, byteCapacity: Int) {
        precondition(byteCapacity > 0, "a span ring needs room for at least one byte")
        self.capacity = capacity
        self.byteCapacity = byteCapacity
        lengths = RingBuffer(capacity: capacity)
    }

    deinit {
        storage?.deallocate()
    }

    /// Spans held now.
    var count: Int { lengths.count }
    var isEmpty: Bool { lengths.isEmpty }

    /// Copies `span` in; returns how many spans were dropped for it: the oldest ones that
    /// made room, or `span` itself (1) when it is larger than the whole ring.
    mutating func append(_ span: EncodedSpan) -> Int {
        let length = span.bytes.count
        guard length <= byteCapacity else { return 1 }
        var dropped = 0
        while lengths.count == capacity || byteCapacity - byteCount < length {
            removeOldest()
            dropped += 1
        }
        let storage = self.storage ?? allocate()
        let tail = (head + byteCount) % byteCapacity
        let first = min(length, byteCapacity - tail)
        span.bytes.withUnsafeBytes { bytes in
            UnsafeMutableRawBufferPointer(rebasing: storage[tail..<(tail + first)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<first]))
            if first < length {
                UnsafeMutableRawBufferPointer(rebasing: storage[..<(length - first)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[first...]))
            }
        }
        lengths.append(length)
        byteCount += length
        return dropped
    }

    /// Moves up to `maxCount` spans, oldest first, to the end of `fields` as OTLP
    /// `ScopeSpans.spans` fields (``EncodedSpan/appendSpansFieldHeader(length:to:)``);
    /// returns how many.
    mutating func take(upTo maxCount: Int, into fields: inout [UInt8]) -> Int {
        let taken = min(maxCount, lengths.count)
        guard taken > 0, let storage else { return 0 }
        for _ in 0..<taken {
            let length = lengths.removeFirst()!
            EncodedSpan.appendSpansFieldHeader(length: length, to: &fields)
            let first = min(length, byteCapacity - head)
            fields.append(contentsOf: UnsafeRawBufferPointer(rebasing: storage[head..<(head + first)]))
            if first < length {
                fields.append(contentsOf: UnsafeRawBufferPointer(rebasing: storage[..<(length - first)]))
            }
            advanceHead(by: length)
        }
        return taken
    }

    /// Empties the ring; returns how many spans it held.
    mutating func removeAll() -> Int {
        let count = lengths.count
        while !lengths.isEmpty { removeOldest() }
        return count
    }

    private mutating func removeOldest() {
        advanceHead(by: lengths.removeFirst()!)
    }

    private mutating func advanceHead(by length: Int) {
        head = (head + length) % byteCapacity
        byteCount -= length
        if byteCount == 0 { head = 0 }
    }

    private mutating func allocate() -> UnsafeMutableRawBufferPointer {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCapacity, alignment: 16)
        self.storage = storage
        return storage
    }
}

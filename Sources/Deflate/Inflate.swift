import CISAL
import Synchronization

extension Deflate {
    /// Why `inflate` gave up.
    public enum InflateFailure: Error, Equatable {
        /// The output would exceed the limit; inflating stopped there.
        case tooLarge
        /// Not a valid stream of the format (or cut short); ISA-L's reason.
        case corrupt(String)
    }

    /// `input` inflated through ISA-L's igzip (several times zlib's speed; gzip and zlib
    /// checksums verified), one stream. Stops with `.tooLarge` as soon as the output would
    /// exceed `maxBytes`, so a decompression bomb is never inflated past the limit. Safe
    /// from any thread, like `compress`.
    public static func inflate(
        _ input: UnsafeRawBufferPointer, format: Format, maxBytes: Int
    ) throws(InflateFailure) -> [UInt8] {
        let state = InflateState.pool.withLock { $0.popLast() } ?? InflateState()
        defer { InflateState.pool.withLock { if $0.count < InflateState.pooled { $0.append(state) } } }
        return try state.inflate(input, format: format, maxBytes: maxBytes)
    }
}

/// One inflation's state (ISA-L's `inflate_state`, tens of KiB), pooled like `Workspace`.
private final class InflateState: @unchecked Sendable {
    static let pool = Mutex<[InflateState]>([])
    static let pooled = 8

    private let state = UnsafeMutablePointer<inflate_state>.allocate(capacity: 1)

    deinit { state.deallocate() }

    func inflate(_ input: UnsafeRawBufferPointer, format: Deflate.Format, maxBytes: Int) throws(Deflate.InflateFailure) -> [UInt8] {
        isal_inflate_init(state)
        let wrapper: Int32 =
            switch format {
            case .gzip: ISAL_GZIP
            case .zlib: ISAL_ZLIB
            case .raw: ISAL_DEFLATE
            }
        state.pointee.crc_flag = UInt32(wrapper)
        state.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        state.pointee.avail_in = UInt32(input.count)
        // Span batches inflate ~5–8×; the buffer doubles from there, up to one byte past the limit.
        var capacity = min(max(input.count * 8, 4_096), maxBytes + 1)
        var output = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { output.deallocate() }
        while true {
            let written = Int(state.pointee.total_out)
            state.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: UInt8.self) + written
            state.pointee.avail_out = UInt32(capacity - written)
            let status = isal_inflate(state)
            if status < 0 { throw .corrupt(Self.reason(status)) }
            if state.pointee.block_state == ISAL_BLOCK_FINISH {
                let total = Int(state.pointee.total_out)
                if total > maxBytes { throw .tooLarge }
                return Array(UnsafeRawBufferPointer(rebasing: output[..<total]))
            }
            if state.pointee.avail_out > 0 { throw .corrupt("the stream ends early") }
            if capacity > maxBytes { throw .tooLarge }
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: min(capacity * 2, maxBytes + 1), alignment: 1)
            larger.copyMemory(from: UnsafeRawBufferPointer(output))
            output.deallocate()
            output = larger
            capacity = larger.count
        }
    }

    private static func reason(_ status: Int32) -> String {
        switch status {
        case ISAL_INVALID_BLOCK: "invalid deflate block"
        case ISAL_INVALID_SYMBOL: "invalid deflate symbol"
        case ISAL_INVALID_LOOKBACK: "invalid back-reference distance"
        case ISAL_INVALID_WRAPPER: "invalid gzip or zlib header"
        case ISAL_UNSUPPORTED_METHOD: "unsupported compression method"
        case ISAL_INCORRECT_CHECKSUM: "checksum mismatch"
        default: "igzip error \(status)"
        }
    }
}

import CISAL
import Synchronization

/// Deflate compression through Intel ISA-L's igzip at level 1: standard gzip or raw
/// deflate streams (any inflater reads them), compressed about as small as zlib's fastest
/// level and several times faster — on span batches 2.9 GB/s against zlib's 0.43 GB/s on
/// this machine (docs/BENCHMARKS.md). That speed is what lets a proxy gzip its own spans,
/// and the collector deflate its chunks, without compression showing in their rates.
public enum Deflate {
    /// The stream framing.
    public enum Format: Sendable {
        /// RFC 1952 (`Content-Encoding: gzip`).
        case gzip
        /// RFC 1950 (HTTP's `Content-Encoding: deflate`).
        case zlib
        /// RFC 1951, no header or checksum.
        case raw
    }

    /// `input` compressed in one stream. Safe from any thread: each call borrows one of a
    /// few pooled workspaces (ISA-L's ~360 KiB of state, allocated once, not per call).
    public static func compress(_ input: UnsafeRawBufferPointer, format: Format) -> [UInt8] {
        let workspace = Workspace.pool.withLock { $0.popLast() } ?? Workspace()
        defer { Workspace.pool.withLock { if $0.count < Workspace.pooled { $0.append(workspace) } } }
        // Deflate's worst case is stored blocks: 5 bytes per 64 KiB, plus the gzip frame.
        var capacity = input.count + input.count / 64 + 64
        while true {
            if let output = workspace.compress(input, format: format, capacity: capacity) { return output }
            capacity *= 2
        }
    }

    /// `bytes` compressed in one stream.
    public static func compress(_ bytes: [UInt8], format: Format) -> [UInt8] {
        bytes.withUnsafeBytes { compress($0, format: format) }
    }
}

/// One compression's working memory. Only the thread that took it from the pool touches
/// it until it is returned, hence `@unchecked Sendable`.
private final class Workspace: @unchecked Sendable {
    static let pool = Mutex<[Workspace]>([])
    /// Workspaces kept for reuse (more are made when more threads compress at once).
    static let pooled = 8

    private let stream = UnsafeMutablePointer<isal_zstream>.allocate(capacity: 1)
    private let levelBuffer = UnsafeMutableRawPointer.allocate(byteCount: levelBufferSize, alignment: 16)
    private static let levelBufferSize = Int(cisal_level1_buffer_size)

    deinit {
        stream.deallocate()
        levelBuffer.deallocate()
    }

    /// `input` compressed into at most `capacity` bytes; nil when they do not suffice.
    func compress(_ input: UnsafeRawBufferPointer, format: Deflate.Format, capacity: Int) -> [UInt8]? {
        var fits = true
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            isal_deflate_stateless_init(stream)
            stream.pointee.level = 1
            stream.pointee.level_buf = levelBuffer.assumingMemoryBound(to: UInt8.self)
            stream.pointee.level_buf_size = UInt32(Self.levelBufferSize)
            let wrapper: Int32 =
                switch format {
                case .gzip: IGZIP_GZIP
                case .zlib: IGZIP_ZLIB
                case .raw: IGZIP_DEFLATE
                }
            stream.pointee.gzip_flag = UInt16(wrapper)
            stream.pointee.end_of_stream = 1
            stream.pointee.flush = UInt16(NO_FLUSH)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.pointee.avail_in = UInt32(input.count)
            stream.pointee.next_out = buffer.baseAddress
            stream.pointee.avail_out = UInt32(capacity)
            let status = isal_deflate_stateless(stream)
            precondition(status == COMP_OK || status == STATELESS_OVERFLOW, "isal_deflate_stateless failed: \(status)")
            fits = status == COMP_OK
            count = fits ? Int(stream.pointee.total_out) : 0
        }
        return fits ? output : nil
    }
}

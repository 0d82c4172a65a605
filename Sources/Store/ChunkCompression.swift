import CompressNIO
import NIOCore

/// Chunk bodies are raw deflate at level 1: spans of one service compress 5–10× and
/// level 1 keeps compression off the critical path of the writer.
enum ChunkCompression {
    private static let algorithm = CompressionAlgorithm.deflate(configuration: .init(compressionLevel: .fastestCompression))

    static func compress(_ raw: [UInt8]) throws -> ByteBuffer {
        var input = ByteBuffer(bytes: raw)
        return try input.compress(with: algorithm)
    }

    /// Inflates a stored body whose raw size is recorded beside it; a body that inflates
    /// to anything else is reported as corrupt.
    static func decompress(_ body: [UInt8], rawSize: Int) throws -> [UInt8] {
        var input = ByteBuffer(bytes: body)
        var output = ByteBufferAllocator().buffer(capacity: rawSize)
        try input.decompress(to: &output, with: algorithm)
        guard output.readableBytes == rawSize else { throw ByteReader.Malformed(offset: output.readableBytes) }
        return Array(output.readableBytesView)
    }
}

import CompressNIO
import Deflate
import NIOCore

/// Chunk bodies are raw deflate at level 1: spans of one service compress 5–10×.
/// Written through ISA-L (``Deflate``, several times zlib's speed: compressing was a fifth
/// of what preparing a batch cost), read back through zlib.
enum ChunkCompression {
    private static let algorithm = CompressionAlgorithm.deflate()

    static func compress(_ raw: [UInt8]) -> [UInt8] {
        Deflate.compress(raw, format: .raw)
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

import Deflate

/// Chunk bodies are raw deflate at level 1: spans of one service compress 5–10×, written
/// and read through ISA-L (``Deflate``, several times zlib's speed: compressing was a
/// fifth of what preparing a batch cost).
enum ChunkCompression {
    static func compress(_ raw: [UInt8]) -> [UInt8] {
        Deflate.compress(raw, format: .raw)
    }

    /// Inflates a stored body whose raw size is recorded beside it; a body that inflates
    /// to anything else is reported as corrupt.
    static func decompress(_ body: [UInt8], rawSize: Int) throws -> [UInt8] {
        let output = try body.withUnsafeBytes { try Deflate.inflate($0, format: .raw, maxBytes: rawSize) }
        guard output.count == rawSize else { throw ByteReader.Malformed(offset: output.count) }
        return output
    }
}

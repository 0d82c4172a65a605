import CompressNIO
import Deflate
import NIOCore
import Testing

/// ISA-L's inflate reads what zlib (through CompressNIO) writes, in each framing, and
/// refuses oversized, corrupt and cut-short streams.
@Suite struct InflateTests {
    private static func zlibCompressed(_ input: [UInt8], _ algorithm: CompressionAlgorithm) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: input)
        return Array(try buffer.compress(with: algorithm).readableBytesView)
    }

    private static let formats: [(Deflate.Format, CompressionAlgorithm)] = [(.gzip, .gzip()), (.zlib, .zlib()), (.raw, .deflate())]

    @Test(arguments: DeflateTests.inputs.indices)
    func readsZlibStreamsInEveryFraming(_ index: Int) throws {
        let input = DeflateTests.inputs[index]
        for (format, algorithm) in Self.formats {
            let compressed = try Self.zlibCompressed(input, algorithm)
            let output = try compressed.withUnsafeBytes { try Deflate.inflate($0, format: format, maxBytes: input.count) }
            #expect(output == input, "\(format)")
        }
    }

    @Test func stopsAtTheLimit() throws {
        let bomb = try Self.zlibCompressed([UInt8](repeating: 0, count: 8 << 20), .gzip())
        #expect(throws: Deflate.InflateFailure.tooLarge) {
            try bomb.withUnsafeBytes { try Deflate.inflate($0, format: .gzip, maxBytes: (8 << 20) - 1) }
        }
        let exact = try bomb.withUnsafeBytes { try Deflate.inflate($0, format: .gzip, maxBytes: 8 << 20) }
        #expect(exact.count == 8 << 20)
    }

    @Test func refusesCorruptAndTruncatedStreams() throws {
        let input = DeflateTests.inputs[4]
        var compressed = try Self.zlibCompressed(input, .gzip())
        let truncated = Array(compressed.prefix(compressed.count / 2))
        compressed[compressed.count - 6] ^= 0xff  // the CRC-32 in the trailer
        for stream in [compressed, truncated, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]] {
            #expect {
                try stream.withUnsafeBytes { try Deflate.inflate($0, format: .gzip, maxBytes: 64 << 20) }
            } throws: { error in
                if case .corrupt = error as? Deflate.InflateFailure { true } else { false }
            }
        }
    }
}

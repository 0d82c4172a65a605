import CompressNIO
import Deflate
import NIOCore
import Testing

/// ISA-L's output read back by zlib (through CompressNIO): the streams are standard.
@Suite struct DeflateTests {
    /// Text-like input (repeated keys, varying values), random bytes (stored blocks, the
    /// worst case), empty, and sizes around ISA-L's internal buffers.
    static let inputs: [[UInt8]] = {
        var random = SystemRandomNumberGenerator()
        var text: [UInt8] = []
        for index in 0..<40_000 { text += Array("http.request.method=GET url.path=/api/items/\(index) status=200;".utf8) }
        let noise = (0..<(1 << 20) + 17).map { _ in UInt8.random(in: 0...255, using: &random) }
        return [[], [42], Array(text.prefix(100)), Array(text.prefix(65_536)), text, noise]
    }()

    @Test(arguments: inputs.indices)
    func gzipReadsBackWithZlib(_ index: Int) throws {
        let input = Self.inputs[index]
        let output = Deflate.compress(input, format: .gzip)
        #expect(output.prefix(2) == [0x1f, 0x8b])
        var buffer = ByteBuffer(bytes: output)
        let inflated = try buffer.decompress(with: .gzip(), maxSize: 64 << 20)
        #expect(Array(inflated.readableBytesView) == input)
    }

    @Test(arguments: inputs.indices)
    func rawDeflateReadsBackWithZlib(_ index: Int) throws {
        let input = Self.inputs[index]
        // After another stream (one pooled workspace): nothing of it leaks into this one.
        _ = Deflate.compress(Self.inputs[4], format: .raw)
        let output = Deflate.compress(input, format: .raw)
        var buffer = ByteBuffer(bytes: output)
        let inflated = try buffer.decompress(with: .deflate(), maxSize: 64 << 20)
        #expect(Array(inflated.readableBytesView) == input)
    }

    /// Many threads at once, each stream intact (workspaces are never shared).
    @Test func concurrentCallsEachGetTheirOwnStream() async throws {
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask {
                    let input = Array(Self.inputs[4].prefix(50_000 + index * 997))
                    var buffer = ByteBuffer(bytes: Deflate.compress(input, format: .raw))
                    let inflated = try? buffer.decompress(with: .deflate(), maxSize: 1 << 20)
                    return inflated.map { Array($0.readableBytesView) } == input
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 32 && results.allSatisfy { $0 })
    }

    @Test func textShrinksAsZlibsFastestLevelDoes() throws {
        let text = Self.inputs[4]
        let isal = Deflate.compress(text, format: .gzip)
        var buffer = ByteBuffer(bytes: text)
        let zlib = try buffer.compress(with: .gzip(configuration: ZlibConfiguration(compressionLevel: .fastestCompression)))
        #expect(Double(isal.count) < Double(zlib.readableBytes) * 1.25, "ISA-L \(isal.count) bytes, zlib \(zlib.readableBytes)")
        #expect(isal.count * 8 < text.count)
    }
}

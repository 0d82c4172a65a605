import CompressNIO
import Foundation
import KeiroModel
import NIOCore
import RoutingCore

/// One access log file being written, and how it is finished: named like AWS's
/// `{account}_elasticloadbalancing_{region}_{lb}_{end yyyymmddThhmmZ}_{ip}_{random}.log.gz`
/// (account `000000000000`, region `local`, lb `app.{name}.{id}`). While open it is
/// `….log.open` (plain text); finishing renames it, or gzips it into `….log.gz` and
/// removes the plain file. Blocking file calls: run them off the cooperative pool.
struct AccessLogFile: Sendable {
    let directory: String
    /// `{account}_elasticloadbalancing_{region}_{lb}` (`/` in the lb id become `.`).
    let prefix: String
    /// `{ip}_{random}.log`.
    let suffix: String
    let openedAtNanos: UInt64
    private(set) var bytes = 0
    private let descriptor: Int32

    var openPath: String { "\(directory)/\(prefix)_\(suffix).open" }

    /// Creates (or appends to) the open file; creates the directory if needed.
    init(directory: String, loadBalancer: String, address: String, now: UInt64) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        prefix = "000000000000_elasticloadbalancing_local_" + loadBalancer.replacingOccurrences(of: "/", with: ".")
        var random = SystemRandomNumberGenerator()
        let tag = String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement(using: &random)! })
        suffix = "\(address)_\(tag).log"
        openedAtNanos = now
        descriptor = open("\(directory)/\(prefix)_\(suffix).open", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw AccessLogFileError(path: "\(directory)/\(prefix)_\(suffix).open", errno: errno) }
    }

    /// Appends `data` (whole lines).
    mutating func append(_ data: [UInt8]) throws {
        var offset = 0
        while offset < data.count {
            let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, data.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw AccessLogFileError(path: openPath, errno: errno)
            }
            offset += written
        }
        bytes += data.count
    }

    /// Closes the file and gives it its final name (gzip-compressed when `gzip`); an empty
    /// file is removed. Returns the final path, nil when removed.
    func finish(gzip: Bool, now: UInt64) throws -> String? {
        close(descriptor)
        guard bytes > 0 else {
            unlink(openPath)
            return nil
        }
        let stamp = ALBTimestamp.format(unixNanos: now)  // 2018-07-02T22:23:00.186641Z → 20180702T2223Z
        let compact = stamp.prefix(16).filter { $0 != "-" && $0 != ":" } + "Z"
        let path = "\(directory)/\(prefix)_\(compact)_\(suffix)"
        guard gzip else {
            guard rename(openPath, path) == 0 else { throw AccessLogFileError(path: path, errno: errno) }
            return path
        }
        try Self.compress(openPath, into: path + ".gz")
        unlink(openPath)
        return path + ".gz"
    }

    /// gzips `source` into `destination` (written as `.tmp`, then renamed) 1 MiB at a time.
    private static func compress(_ source: String, into destination: String) throws {
        guard let input = FileHandle(forReadingAtPath: source) else { throw AccessLogFileError(path: source, errno: ENOENT) }
        defer { try? input.close() }
        let temporary = destination + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let output = FileHandle(forWritingAtPath: temporary)
        else { throw AccessLogFileError(path: temporary, errno: EACCES) }
        defer { try? output.close() }
        let compressor = CompressionAlgorithm.gzip().compressor
        compressor.window = ByteBufferAllocator().buffer(capacity: 256 * 1024)
        try compressor.startStream()
        while true {
            let chunk = try input.read(upToCount: 1 << 20) ?? Data()
            var buffer = ByteBuffer(bytes: chunk)
            try buffer.compressStream(with: compressor, flush: chunk.isEmpty ? .finish : .no) { try output.write(contentsOf: Data($0.readableBytesView)) }
            if chunk.isEmpty { break }
        }
        try compressor.finishStream()
        guard rename(temporary, destination) == 0 else { throw AccessLogFileError(path: destination, errno: errno) }
    }
}

/// A file operation of the access log failed.
struct AccessLogFileError: Error, CustomStringConvertible {
    var path: String
    var errno: Int32
    var description: String { "\(path): \(String(cString: strerror(errno)))" }
}

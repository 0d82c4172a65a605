import ArgumentParser

/// `host:port`, `[ipv6]:port` or `:port`, as given to `--listen`.
struct HostPort: Equatable {
    var host: String
    var port: Int

    init(parsing text: String) throws {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[close...].dropFirst().drop { $0 == ":" }
        } else if let colon = text.lastIndex(of: ":") {
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        } else {
            throw ValidationError("'\(text)' is not host:port (e.g. 127.0.0.1:4318)")
        }
        guard let port = Int(portPart), (0...65535).contains(port) else {
            throw ValidationError("'\(text)': port must be a number from 0 to 65535")
        }
        host = hostPart.isEmpty ? "127.0.0.1" : String(hostPart)
        self.port = port
    }
}

import ArgumentParser

/// One side of `keiro flame --baseline … --compare …`: `TraceQuery` parameters written as
/// `name=value` pairs separated by commas, e.g. `route=/search,flag=canary,since=1h`.
/// A comma is only a separator when what follows looks like a parameter name and `=`; a
/// comma inside a value (`operation=GET /a,b`) stays part of it.
enum TraceSelection {
    static func parameters(_ text: String) throws -> [(name: String, value: String)] {
        var pieces: [String] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if startsParameter(piece) || pieces.isEmpty {
                pieces.append(piece)
            } else {
                pieces[pieces.count - 1] += "," + piece
            }
        }
        return try pieces.filter { !$0.isEmpty }.map { piece in
            guard let equals = piece.firstIndex(of: "="), startsParameter(piece) else {
                throw ValidationError("'\(piece)' in '\(text)' is not name=value (e.g. route=/search,flag=canary)")
            }
            return (String(piece[..<equals]), String(piece[piece.index(after: equals)...]))
        }
    }

    /// `name=…` with a name of letters and hyphens.
    private static func startsParameter(_ piece: String) -> Bool {
        guard let equals = piece.firstIndex(of: "="), equals != piece.startIndex else { return false }
        return piece[..<equals].allSatisfy { $0.isLetter || $0 == "-" }
    }
}

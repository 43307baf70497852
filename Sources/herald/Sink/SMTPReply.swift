/// One SMTP reply (RFC 5321 §4.2): a code and one or more lines of text, the enhanced status code
/// (RFC 3463, `2.1.0`) at the start of the text where one applies.
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    init(_ code: Int, _ lines: String...) {
        self.code = code
        self.lines = lines.isEmpty ? [""] : lines
    }

    /// `250-first` … `250 last`, each line ending in CRLF, as it goes on the wire.
    var wire: String {
        lines.enumerated().map { index, line in
            "\(code)\(index == lines.count - 1 ? " " : "-")\(line)\r\n"
        }.joined()
    }

    /// A 4xx reply: the client may try again later.
    var isTransient: Bool { (400...499).contains(code) }
    /// A 5xx reply: trying again will not help.
    var isPermanent: Bool { (500...599).contains(code) }
}

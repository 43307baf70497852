/// The answer to one complete e-mail, and what each recipient would have received (none on a failure).
struct SinkMailReply: Sendable {
    /// The reply to the end of `DATA`.
    var reply: SMTPReply
    /// One message per `RCPT TO`.
    var received: [ReceivedMessage]
    /// Why the message failed, for stderr; nil when it was accepted.
    var note: String?
}

extension SinkExchange {
    /// Answers the end of `DATA` like a mail server that queued the message, or with the SMTP
    /// failure that stands for the injected HTTP status (``smtpFailure(status:)``).
    ///
    /// Pure, like ``answer(_:sequence:failure:retryAfter:)``: `sequence` (the message's number among
    /// all requests and messages, from 1) makes the queue id, `failure` comes from ``SinkFaults``.
    static func answer(mail: SMTPSession.MailTransaction, sequence: Int, failure: Int?) -> SinkMailReply {
        let recipients = mail.recipients.map(Send.mask).joined(separator: ", ")
        if let status = failure {
            let reply = smtpFailure(status: status)
            return SinkMailReply(reply: reply, received: [],
                                 note: "email → \(recipients): injected SMTP \(reply.code) (for HTTP \(status))")
        }
        let queueID = queueID(sequence)
        let content = MailContent(mail.data)
        let received = mail.recipients.map { recipient in
            ReceivedMessage(kind: .email, to: recipient, text: content.text, providerID: queueID,
                            deliveryID: content.deliveryID, subject: content.subject, login: mail.login)
        }
        return SinkMailReply(reply: SMTPReply(250, "2.0.0 OK queued as \(queueID)"), received: received)
    }

    /// The SMTP reply for an injected HTTP status, keeping its meaning to a sender:
    ///
    /// | `--status` | Reply at the end of `DATA` | Herald reads it as |
    /// |---|---|---|
    /// | 429, 5xx | `451 4.3.0` | transient: retried |
    /// | any other 4xx | `550 5.1.1` | permanent: not retried, the next channel is tried |
    static func smtpFailure(status: Int) -> SMTPReply {
        if status == 429 || status >= 500 {
            return SMTPReply(451, "4.3.0 Temporary failure, try again later (injected by herald sink for HTTP \(status))")
        }
        return SMTPReply(550, "5.1.1 Mailbox unavailable (injected by herald sink for HTTP \(status))")
    }

    /// `0000000001`, `000000000A`: ten hex digits, like a mail server's queue id.
    static func queueID(_ sequence: Int) -> String {
        let hex = String(sequence, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 10 - hex.count)) + hex
    }
}

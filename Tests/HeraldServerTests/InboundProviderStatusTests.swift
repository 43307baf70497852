import HeraldServer
import Testing

/// "Statuses only move forward": every pair of (new, current), against the table in ProviderStatus.
@Suite struct InboundProviderStatusTests {
    /// Columns, in the order of each row's marks: none, queued, sending, sent, delivered, read, failed,
    /// undelivered, an unknown status.
    static let columns: [ProviderStatus?] = [nil, .queued, .sending, .sent, .delivered, .read, .failed, .undelivered, .unknown("accepted")]

    /// One row per new status; `x` applies, `.` does not. The last column is a current status Herald
    /// does not know, which ranks as none.
    static let table: [(ProviderStatus, String)] = [
        // current:            none, queued, sending, sent, delivered, read, failed, undelivered, unknown
        (.queued,             "x.......x"),
        (.sending,            "xx......x"),
        (.sent,               "xxx.....x"),
        (.delivered,          "xxxx....x"),
        (.read,               "xxxxx...x"),
        (.failed,             "xxxx....x"),
        (.undelivered,        "xxxx....x"),
        (.unknown("accepted"), "........."),
        (.unknown("canceled"), "........."),
    ]

    @Test func theTableCoversEveryPairExactly() {
        var checked = 0
        for (new, marks) in Self.table {
            #expect(marks.count == Self.columns.count)
            for (current, mark) in zip(Self.columns, marks) {
                let expected = mark == "x"
                #expect(ProviderStatus.shouldApply(new: new, over: current) == expected,
                        "\(new) over \(current.map(\.description) ?? "none") should \(expected ? "" : "not ")apply")
                checked += 1
            }
        }
        #expect(checked == 81)
    }

    @Test func aLateSentAfterReadIsIgnored() {
        #expect(!ProviderStatus.shouldApply(new: .sent, over: .read))
        #expect(!ProviderStatus.shouldApply(new: .delivered, over: .read))
    }

    @Test func aFailedAfterSentIsApplied() {
        #expect(ProviderStatus.shouldApply(new: .failed, over: .sent))
        #expect(ProviderStatus.shouldApply(new: .undelivered, over: .sent))
    }

    @Test(arguments: ProviderStatus.known)
    func theSameStatusTwiceIsNotAppliedAgain(_ status: ProviderStatus) {
        #expect(!ProviderStatus.shouldApply(new: status, over: status))
    }

    @Test func aFailureAfterTheRecipientHasTheMessageIsIgnored() {
        #expect(!ProviderStatus.shouldApply(new: .failed, over: .delivered))
        #expect(!ProviderStatus.shouldApply(new: .undelivered, over: .read))
    }

    @Test func nothingLeavesATerminalStatus() {
        for new in ProviderStatus.known {
            #expect(!ProviderStatus.shouldApply(new: new, over: .failed))
            #expect(!ProviderStatus.shouldApply(new: new, over: .undelivered))
        }
    }

    @Test(arguments: [
        ("queued", ProviderStatus.queued), ("sending", .sending), ("sent", .sent), ("delivered", .delivered),
        ("read", .read), ("failed", .failed), ("undelivered", .undelivered), ("DELIVERED", .delivered),
        ("accepted", .unknown("accepted")), ("played", .unknown("played")),
    ])
    func providerNamesAreRead(_ name: String, _ status: ProviderStatus) {
        #expect(ProviderStatus(name) == status)
    }

    @Test func namesRoundTripAndUnknownNamesAreKeptAsSent() {
        for status in ProviderStatus.known { #expect(ProviderStatus(status.name) == status) }
        #expect(ProviderStatus("Partially_Delivered").name == "Partially_Delivered")
        #expect(ProviderStatus.failed.isTerminal && ProviderStatus.undelivered.isTerminal)
        #expect(!ProviderStatus.read.isTerminal && !ProviderStatus.unknown("canceled").isTerminal)
    }
}

import HeraldCore
import Testing

/// W3C `traceparent` as Herald takes it from senders, keeps it with deliveries and passes it on.
@Suite struct TraceParentTests {
    static let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aValidHeaderIsReadIntoItsParts() throws {
        let trace = try #require(TraceParent(header: Self.header, state: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"))
        #expect(trace.header == Self.header)
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.spanID == "00f067aa0ba902b7")
        #expect(trace.isSampled)
        #expect(trace.state == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        #expect(trace.headers.map(\.name) == ["traceparent", "tracestate"])
        #expect(TraceParent(header: Self.header.replacingOccurrences(of: "-01", with: "-00"))?.isSampled == false)
    }

    @Test func spacesAroundTheHeaderAreHTTPsAndDropped() {
        #expect(TraceParent(header: " \t\(Self.header) ")?.header == Self.header)
    }

    /// The specification: a traceparent that cannot be read is ignored, and a later version is read
    /// by its version-00 prefix.
    @Test(arguments: [
        "",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // upper-case hex
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // trace id all zeros
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // parent id all zeros
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version ff is forbidden
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", // version 00 has nothing after the flags
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",   // a dash out of place
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // a later version needs a dash after the flags
    ])
    func aMalformedHeaderIsIgnored(_ header: String) {
        #expect(TraceParent(header: header) == nil)
    }

    @Test func aLaterVersionIsReadAsVersion00() {
        let later = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds"
        #expect(TraceParent(header: later)?.header == Self.header)
    }

    @Test func aTracestateThatIsNotShortPrintableASCIIIsDropped() {
        #expect(TraceParent(header: Self.header, state: "")?.state == nil)
        #expect(TraceParent(header: Self.header, state: "a=1\nb=2")?.state == nil)
        #expect(TraceParent(header: Self.header, state: String(repeating: "a", count: 513))?.state == nil)
        #expect(TraceParent(header: Self.header, state: " a=1 ")?.state == "a=1")
        #expect(TraceParent(header: Self.header, state: "a=1")?.header == Self.header, "a bad state never costs the traceparent")
    }

    @Test func madeOfItsParts() {
        #expect(TraceParent(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: true)?.header == Self.header)
        #expect(TraceParent(traceID: "4bf9", spanID: "00f067aa0ba902b7", sampled: true) == nil)
    }

    @Test func theStoredFormReadsBack() throws {
        let trace = try #require(TraceParent(header: Self.header, state: "k=v"))
        #expect(trace.storedJSON.compactJSON == #"{"parent":"\#(Self.header)","state":"k=v"}"#)
        #expect(TraceParent(stored: trace.storedJSON) == trace)
        #expect(TraceParent(stored: nil) == nil)
        #expect(TraceParent(stored: ["parent": "nonsense"]) == nil)
    }
}

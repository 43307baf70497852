import HeraldCore
import HeraldServer
import Testing

@Suite struct ProblemTests {
    @Test func theDocumentHasRFC9457MembersThenExtensions() {
        var extensions = JSONObject()
        extensions["offset"] = 17
        extensions["status"] = "ignored: a member RFC 9457 defines is not overridden"
        let problem = Problem("invalid-json", title: "The body is not valid JSON", status: 400,
                              detail: "expected ',' or '}' at line 1, column 18", extensions: extensions)
        #expect(problem.slug == "invalid-json")
        #expect(problem.json.compactJSON
            == #"{"type":"https://herald.dev/problems/invalid-json","title":"The body is not valid JSON","status":400,"detail":"expected ',' or '}' at line 1, column 18","offset":17}"#)
    }
}

import HeraldCore
import HeraldStore
import Hummingbird
import Logging

/// Every error leaves as an `application/problem+json` answer: Herald's own problems as they are,
/// Hummingbird's (unknown route, wrong method) with their status, anything else as a 500 whose
/// detail does not leak internals (the log has them).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return Self.response(problem)
        } catch let error as OutboxError where error.code == .unavailable {
            // Nothing was stored: the sender must try again (here or on another node), never assume a 202.
            logger.error("store unavailable", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.response(Problem("store-unavailable", title: "Herald's store is unavailable", status: 503,
                                         detail: "the database cannot be reached; nothing was accepted; send again after the Retry-After delay",
                                         extensions: JSONObject(["retry_after": 2])))
        } catch let error as HTTPError {
            let status = Int(error.status.code)
            let problem: Problem = switch status {
            case 404: Problem("not-found", title: "No such resource", status: 404, detail: "\(request.method.rawValue) \(request.uri.path) is not a Herald route; see docs/openapi.yaml")
            case 405: Problem("method-not-allowed", title: "Method not allowed", status: 405, detail: "\(request.method.rawValue) is not allowed on \(request.uri.path)")
            case 413: Problem("body-too-large", title: "The body is too large", status: 413,
                              detail: "the body is over the ingest size limit ('ingest.max_body' in herald.yaml)")
            default: Problem("http-error", title: error.status.reasonPhrase, status: status, detail: error.body ?? error.status.reasonPhrase)
            }
            return Self.response(problem)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.response(Problem("internal-error", title: "Herald could not complete the request", status: 500,
                                         detail: "an internal error occurred and was logged; nothing was accepted unless a 202 said so"))
        }
    }

    static func response(_ problem: Problem) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = Problem.contentType
        if problem.slug == "unauthorized" { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter = problem.extensions["retry_after"]?.numberValue { headers[.retryAfter] = String(Int(retryAfter)) }
        return Response(status: HTTPResponse.Status(code: problem.status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: problem.json.compactJSON + "\n")))
    }
}

import HTTPTypes
import Hummingbird
import NIOCore

/// Answers GET and HEAD for the files of `dist/` (`StaticServer.answer`): 405 for any other
/// method, 404 for what is not a file inside the root. `/healthz` goes on to the router.
struct StaticFileMiddleware<Context: RequestContext>: RouterMiddleware {
    let files: StaticFiles

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/healthz", request.method == .get || request.method == .head {
            return try await next(request, context)
        }
        let answer = StaticServer.answer(
            method: request.method, path: path, ifNoneMatch: request.headers[.ifNoneMatch],
            acceptsGzip: request.headers[.acceptEncoding]?.contains("gzip") ?? false, files: files
        )
        // A HEAD answer keeps the GET answer's Content-Length and sends no body.
        let body: ResponseBody = request.method == .head ? .init() : answer.body.map { .init(byteBuffer: $0) } ?? .init()
        return Response(status: answer.status, headers: answer.headers, body: body)
    }
}

/// Reports each answered request (method, path without its query, status) once the
/// response is made: the access log and `StaticServer`'s `onRequest`.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let served: @Sendable (String, String, Int) -> Void

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            served(request.method.rawValue, request.uri.path, response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            served(request.method.rawValue, request.uri.path, error.status.code)
            throw error
        }
    }
}

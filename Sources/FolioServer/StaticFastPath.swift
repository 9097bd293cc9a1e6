import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers GET and HEAD on the connection's event loop, in the channel pipeline that
/// Hummingbird builds (after its HTTP/1 codec, before its request handling). Serving a
/// file from memory takes microseconds; handing each request to the Swift concurrency pool
/// and the response back took most of the server's time under load.
///
/// Other requests go on to the Hummingbird responder. Responses must leave in request
/// order (HTTP/1 pipelining), so while a forwarded request has not had the end of its
/// response written, every later request is forwarded too.
final class StaticFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// A GET or HEAD being read (its body, if any, is ignored) to answer at its end.
        case answering(HTTPRequest)
        /// A request being passed on to Hummingbird.
        case forwarding
    }

    private let files: StaticFiles
    private let served: @Sendable (HTTPRequest.Method, String, HTTPResponse.Status) -> Void
    private var state = State.idle
    /// Forwarded requests whose response has not ended yet.
    private var forwarded = 0

    init(files: StaticFiles, served: @escaping @Sendable (HTTPRequest.Method, String, HTTPResponse.Status) -> Void) {
        self.files = files
        self.served = served
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if forwarded == 0, request.method == .get || request.method == .head {
                state = .answering(request)
            } else {
                forwarded += 1
                state = .forwarding
                context.fireChannelRead(data)
            }
        case .body:
            if case .forwarding = state { context.fireChannelRead(data) }
        case .end:
            switch state {
            case .answering(let request):
                state = .idle
                answer(request, context: context)
            case .forwarding:
                state = .idle
                context.fireChannelRead(data)
            case .idle:
                context.fireChannelRead(data)
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), forwarded > 0 { forwarded -= 1 }
        context.write(data, promise: promise)
    }

    private func answer(_ request: HTTPRequest, context: ChannelHandlerContext) {
        let path = request.path ?? "/"
        let answer = StaticServer.answer(method: request.method, path: path, headers: request.headerFields, files: files)
        // Logged before the response leaves, as Hummingbird's responder does.
        served(request.method, StaticServer.pathWithoutQuery(path), answer.status)
        var headers = answer.headers
        headers[.server] = "folio"
        let close = request.headerFields[.connection] == "close"
        if close { headers[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: headers))), promise: nil)
        if let body = answer.body, request.method != .head {
            context.write(wrapOutboundOut(.body(body)), promise: nil)
        }
        if close {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

import Foundation
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The child channel `folio serve` gives Hummingbird's server: NIO's HTTP/1 request parser,
/// then `StaticHTTPHandler`, which answers every request on the connection's event loop
/// and writes the response bytes itself. Hummingbird still listens, runs the lifecycle and
/// shuts down gracefully; a static file server needs none of its request routing, and the
/// hop from the event loop to the Swift concurrency pool and back, with the conversions
/// between NIO's and HTTPTypes' request types, was most of the cost of each request.
struct StaticHTTPChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
    }

    let files: StaticFiles
    let served: @Sendable (String, String, Int) -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            try channel.pipeline.syncOperations.addHandler(StaticHTTPHandler(files: files, served: served))
            return Value(channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskCancellationHandler {
            try? await value.channel.closeFuture.get()
        } onCancel: {
            value.channel.close(promise: nil)
        }
    }
}

/// Answers each request as it ends, in order (so pipelined requests get their answers in
/// order), with `StaticServer.answer`. Keeps the connection open unless the request asks
/// otherwise (`Connection: close`, or HTTP/1.0 without keep-alive); on a graceful shutdown
/// an idle connection closes at once and a busy one after its answer.
final class StaticHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let files: StaticFiles
    private let served: @Sendable (String, String, Int) -> Void
    private var request: HTTPRequestHead?
    private var closeWhenIdle = false

    /// What decides an answer, and the answer with its head already written out: a client
    /// asking for the same files again and again (an SDK polling its manifest) is answered
    /// from here for as long as `StaticFiles` trusts a file without `stat` (20 ms).
    private struct Question: Hashable {
        let method: String
        let path: String
        let gzip: Bool
        let ifNoneMatch: String?
    }
    private struct Prepared {
        let at: UInt64
        let status: Int
        let head: ByteBuffer
        let body: ByteBuffer?
    }
    private var prepared: [Question: Prepared] = [:]

    init(files: StaticFiles, served: @escaping @Sendable (String, String, Int) -> Void) {
        self.files = files
        self.served = served
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break // a body is read and ignored: nothing here takes one
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            if request == nil { context.close(promise: nil) } else { closeWhenIdle = true }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A request NIO's parser refuses: say so and close, as Hummingbird does.
        if error is HTTPParserError {
            var buffer = context.channel.allocator.buffer(capacity: 128)
            buffer.writeString("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\nDate: \(HTTPDate.now())\r\nServer: folio\r\n\r\n")
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in bound.value.close(promise: nil) }
            return
        }
        context.close(promise: nil)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = StaticServer.pathWithoutQuery(Self.path(of: head.uri))
        let question = Question(
            method: head.method.rawValue, path: path,
            gzip: head.headers.first(name: "accept-encoding")?.contains("gzip") ?? false,
            ifNoneMatch: head.headers.first(name: "if-none-match")
        )
        let now = StaticFiles.monotonicNanoseconds()
        let answer: Prepared
        if let known = prepared[question], now &- known.at < StaticFiles.revalidateAfterNanoseconds {
            answer = known
        } else {
            answer = prepare(question, at: now, allocator: context.channel.allocator)
            if prepared.count >= 64 { prepared.removeAll(keepingCapacity: true) }
            prepared[question] = answer
        }
        served(head.method.rawValue, path, answer.status)
        let close = !head.isKeepAlive || closeWhenIdle
        var buffer = context.channel.allocator.buffer(capacity: answer.head.readableBytes + 80)
        buffer.writeImmutableBuffer(answer.head)
        buffer.writeStaticString("Date: ")
        buffer.writeString(HTTPDate.now())
        buffer.writeStaticString("\r\nServer: folio\r\n")
        if close { buffer.writeStaticString("Connection: close\r\n") }
        buffer.writeStaticString("\r\n")
        if let body = answer.body, head.method != .HEAD {
            context.write(wrapOutboundOut(buffer), promise: nil)
            buffer = body
        }
        if close {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in bound.value.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
    }

    /// `StaticServer.answer`, with its status line and headers written out.
    private func prepare(_ question: Question, at now: UInt64, allocator: ByteBufferAllocator) -> Prepared {
        let answer = StaticServer.answer(method: question.method, path: question.path, ifNoneMatch: question.ifNoneMatch,
                                         acceptsGzip: question.gzip, files: files)
        var head = allocator.buffer(capacity: 384)
        head.writeString("HTTP/1.1 \(answer.status.code) \(answer.status.reasonPhrase)\r\n")
        for field in answer.headers {
            head.writeString(field.name.rawName)
            head.writeStaticString(": ")
            head.writeString(field.value)
            head.writeStaticString("\r\n")
        }
        return Prepared(at: now, status: answer.status.code, head: head, body: answer.body)
    }

    /// The path of a request target, also in absolute form (`http://host/path`).
    static func path(of target: String) -> String {
        guard !target.hasPrefix("/"), let scheme = target.range(of: "://") else { return target }
        let rest = target[scheme.upperBound...]
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }
}

/// The `Date` header's value (`Mon, 30 Nov 2026 02:28:22 GMT`), formatted once a second.
enum HTTPDate {
    private static let cache = NIOLockedValueBox<(second: Int, text: String)>((-1, ""))

    static func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &time)
        let second = time.tv_sec
        if let text = cache.withLockedValue({ $0.second == second ? $0.text : nil }) { return text }
        var parts = tm()
        var seconds = time_t(second)
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        let text = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        cache.withLockedValue { $0 = (second, text) }
        return text
    }
}

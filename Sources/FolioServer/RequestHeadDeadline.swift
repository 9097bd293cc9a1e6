import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Closes a connection whose request head (request line and headers) has not arrived
/// whole within `timeout` of its first byte, so a client that sends half a header and
/// stops, or one byte a second, cannot hold a connection. (Hummingbird's idle timeout
/// starts from the last complete request part, so it bounds a stalled head too, but only
/// by the longer keep-alive time.)
///
/// It sits in front of the HTTP decoder and sees bytes; `Marker`, behind the decoder, tells
/// it with an outbound event when a head is complete and when a request has ended.
final class RequestHeadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Event: Sendable {
        case headReceived
        case requestEnded
    }

    private let timeout: TimeAmount
    /// When the head being read started (its first byte); nil between requests and while
    /// one is being answered.
    private var headStarted: NIODeadline?
    /// At most one timer per connection, re-armed only when it fires: a client sending
    /// requests back to back costs a clock read per request, not a timer.
    private var timer: Scheduled<Void>?
    private var inRequest = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if headStarted == nil, !inRequest {
            let now = NIODeadline.now()
            headStarted = now
            if timer == nil { arm(context, at: now + timeout) }
        }
        context.fireChannelRead(data)
    }

    private func arm(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            guard let started = handler.headStarted else { return }
            let due = started + handler.timeout
            if NIODeadline.now() >= due {
                context.close(promise: nil)
            } else {
                handler.arm(context, at: due)
            }
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let event = event as? Event else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        headStarted = nil
        inRequest = event == .headReceived
        promise?.succeed()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    /// Behind the HTTP decoder: reports each complete head and each request's end.
    final class Marker: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head: context.triggerUserOutboundEvent(Event.headReceived, promise: nil)
            case .end: context.triggerUserOutboundEvent(Event.requestEnded, promise: nil)
            case .body: break
            }
            context.fireChannelRead(data)
        }
    }
}

/// Gives an HTTP/1.0 request without keep-alive a `Connection: close` header before it is
/// turned into an HTTP-version-free request, so that Hummingbird closes the connection
/// after answering it, as HTTP/1.0 requires.
final class HTTP10ConnectionClose: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(var head) = unwrapInboundIn(data), !head.isKeepAlive, !head.headers.contains(name: "connection") {
            head.headers.add(name: "Connection", value: "close")
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        }
        context.fireChannelRead(data)
    }
}

/// Hummingbird's HTTP/1 channel with `RequestHeadDeadline` in front of its decoder.
struct DeadlineHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel
    let headerTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RequestHeadDeadline(timeout: headerTimeout))
        }.flatMap {
            inner.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let codec = try channel.pipeline.syncOperations.handler(type: HTTP1ToHTTPServerCodec.self)
            try channel.pipeline.syncOperations.addHandler(HTTP10ConnectionClose(), position: .before(codec))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

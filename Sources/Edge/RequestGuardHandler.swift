internal import Gateway
internal import HTTPTypes
internal import NIOCore
internal import NIOHTTPTypes
internal import RPCCore
internal import RPCJSON
internal import ServiceKit

/// Protects the server from slow and oversized requests before they reach the responder: a
/// request head over the limit is answered 431 and the connection closed; a client that takes
/// longer than the header or body timeout to send its request loses its connection.
final class RequestGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPRequestPart
  typealias InboundOut = HTTPRequestPart
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart

  private enum State {
    case awaitingHead
    case receivingBody
    case rejecting
    case responding
  }

  private let maxHeaderBytes: Int
  private let headerTimeout: TimeAmount
  private let bodyTimeout: TimeAmount
  private var state = State.awaitingHead
  private var timer: Scheduled<Void>?

  init(maxHeaderBytes: Int, headerTimeout: Duration, bodyTimeout: Duration) {
    self.maxHeaderBytes = maxHeaderBytes
    self.headerTimeout = .nanoseconds(Self.nanoseconds(headerTimeout))
    self.bodyTimeout = .nanoseconds(Self.nanoseconds(bodyTimeout))
  }

  private static func nanoseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.arm(context: context, after: self.headerTimeout)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.timer?.cancel()
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.timer?.cancel()
    context.fireChannelInactive()
  }

  private func arm(context: ChannelHandlerContext, after delay: TimeAmount) {
    self.timer?.cancel()
    self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
      // Slow client: too long to send a head or a body.
      context.close(promise: nil)
    }
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let part = self.unwrapInboundIn(data)
    switch part {
    case .head(let head):
      guard Self.size(of: head) <= self.maxHeaderBytes else {
        self.state = .rejecting
        self.timer?.cancel()
        self.reject(context: context, requestID: head.headerFields[.requestID])
        return
      }
      self.state = .receivingBody
      self.arm(context: context, after: self.bodyTimeout)
      context.fireChannelRead(data)
    case .body:
      if case .rejecting = self.state { return }
      context.fireChannelRead(data)
    case .end:
      if case .rejecting = self.state { return }
      self.timer?.cancel()
      self.state = .responding
      context.fireChannelRead(data)
    }
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .end = self.unwrapOutboundIn(data), case .responding = self.state {
      // Keep-alive: the next request's head must come in time too.
      self.state = .awaitingHead
      self.arm(context: context, after: self.headerTimeout)
    }
    context.write(data, promise: promise)
  }

  /// Bytes of the request line and header fields, as they were on the wire.
  static func size(of head: HTTPRequest) -> Int {
    var size = head.method.rawValue.utf8.count + (head.path?.utf8.count ?? 0) + 12
    for field in head.headerFields {
      size += field.name.rawName.utf8.count + field.value.utf8.count + 4
    }
    return size
  }

  private func reject(context: ChannelHandlerContext, requestID: String?) {
    let id = requestID.flatMap(EdgeResponder.validRequestID) ?? RequestLoggingInterceptor.newRequestID()
    let body = HTTPStatusMapping.errorBody(
      code: .resourceExhausted,
      message: "request header fields exceed \(self.maxHeaderBytes) bytes"
    ).serialized()
    var response = HTTPResponse(status: .requestHeaderFieldsTooLarge)
    response.headerFields[.contentType] = "application/json"
    response.headerFields[.contentLength] = String(body.count)
    response.headerFields[.connection] = "close"
    response.headerFields[.requestID] = id
    context.write(self.wrapOutboundOut(.head(response)), promise: nil)
    context.write(self.wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
    context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
      context.close(promise: nil)
    }
  }
}

extension HTTPField.Name {
  static let requestID = HTTPField.Name("X-Request-Id")!
  static let grpcTimeout = HTTPField.Name("Grpc-Timeout")!
}

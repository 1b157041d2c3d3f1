internal import Gateway
internal import NIOCore
internal import NIOHTTP1
internal import RPCCore
internal import RPCJSON

/// Protects the server from slow and oversized requests before they reach the edge: a request
/// head over the limit is answered 431 and the connection closed; a client that takes longer than
/// the header or body timeout to send its request loses its connection. The header timeout also
/// bounds how long a kept-alive connection may wait for its next request.
final class RequestGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias InboundOut = HTTPServerRequestPart
  typealias OutboundIn = HTTPServerResponsePart
  typealias OutboundOut = HTTPServerResponsePart

  private let maxHeaderBytes: Int
  private let headerTimeout: TimeAmount
  private let bodyTimeout: TimeAmount
  /// Between a request's head and its end.
  private var reading = false
  /// A head over the limit was answered 431: the rest of the request is dropped.
  private var rejecting = false
  /// Requests read and not yet answered (more than one when the client pipelines).
  private var unanswered = 0
  /// When the connection is closed unless the request (or the next one) has come in by then.
  private var deadline: NIODeadline?
  /// The one scheduled check of `deadline`, and when it runs. Moving the deadline later does not
  /// reschedule it: the check finds the new deadline and waits again, so a busy keep-alive
  /// connection schedules no timer per request.
  private var check: (task: Scheduled<Void>, at: NIODeadline)?

  init(maxHeaderBytes: Int, headerTimeout: Duration, bodyTimeout: Duration) {
    self.maxHeaderBytes = maxHeaderBytes
    self.headerTimeout = .nanoseconds(headerTimeout.nanosecondsClampedToZero)
    self.bodyTimeout = .nanoseconds(bodyTimeout.nanosecondsClampedToZero)
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.arm(context: context, after: self.headerTimeout)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    self.disarm()
    self.check?.task.cancel()
    self.check = nil
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.disarm()
    self.check?.task.cancel()
    self.check = nil
    context.fireChannelInactive()
  }

  private func arm(context: ChannelHandlerContext, after delay: TimeAmount) {
    let deadline = NIODeadline.now() + delay
    self.deadline = deadline
    if let check = self.check {
      if check.at <= deadline { return }
      check.task.cancel()
    }
    self.scheduleCheck(context: context, at: deadline)
  }

  private func disarm() {
    self.deadline = nil
  }

  private func scheduleCheck(context: ChannelHandlerContext, at time: NIODeadline) {
    let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: time) { [self] in
      self.check = nil
      guard let deadline = self.deadline else { return }
      if deadline <= .now() {
        // Slow client: too long to send a head or a body.
        context.close(promise: nil)
      } else {
        self.scheduleCheck(context: context, at: deadline)
      }
    }
    self.check = (task, time)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    if self.rejecting { return }
    switch self.unwrapInboundIn(data) {
    case .head(let head):
      guard Self.size(of: head) <= self.maxHeaderBytes else {
        self.rejecting = true
        self.disarm()
        self.reject(context: context, head: head)
        return
      }
      self.reading = true
      self.arm(context: context, after: self.bodyTimeout)
    case .body:
      break
    case .end:
      self.reading = false
      self.unanswered += 1
      self.disarm()
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .end = self.unwrapOutboundIn(data), self.unanswered > 0 {
      self.unanswered -= 1
      if self.unanswered == 0 && !self.reading {
        // Keep-alive: the next request's head must come in time too.
        self.arm(context: context, after: self.headerTimeout)
      }
    }
    context.write(data, promise: promise)
  }

  /// Bytes of the request line and header fields, as they were on the wire.
  static func size(of head: HTTPRequestHead) -> Int {
    var size = head.method.rawValue.utf8.count + head.uri.utf8.count + 12
    for (name, value) in head.headers {
      size += name.utf8.count + value.utf8.count + 4
    }
    return size
  }

  private func reject(context: ChannelHandlerContext, head: HTTPRequestHead) {
    let body = HTTPStatusMapping.errorBody(
      code: .resourceExhausted,
      message: "request header fields exceed \(self.maxHeaderBytes) bytes"
    ).serialized()
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: "application/json")
    headers.add(name: "content-length", value: String(body.count))
    headers.add(name: "connection", value: "close")
    headers.add(name: HTTPHeaders.requestID, value: head.headers.requestID())
    let response = HTTPResponseHead(version: head.version, status: .requestHeaderFieldsTooLarge, headers: headers)
    context.write(self.wrapOutboundOut(.head(response)), promise: nil)
    context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
    context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
      context.close(promise: nil)
    }
  }
}

internal import NIOCore
internal import NIOHTTP1
internal import RPCCore
internal import RPCTransport
internal import ServiceKit

/// One HTTP/1.1 connection of the edge: reads each request with its body bounded, asks the
/// responder, and writes the JSON answer.
///
/// A connection is idle, reading a request, or waiting for its answer. Requests a client
/// pipelines behind the one being answered are held here and taken in order; only then does the
/// handler stop reading, so the usual one-request-at-a-time client costs no change of the
/// socket's epoll interest per request (NIO's `HTTPServerPipelineHandler` pauses reading for
/// every answer). Work runs on the connection's event loop; a routed call runs in a task that
/// prefers the same loop, so the answer is written without a thread hop.
final class EdgeHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundIn = HTTPServerResponsePart
  typealias OutboundOut = HTTPServerResponsePart

  private enum State {
    case idle
    case reading(HTTPRequestHead, body: ByteBuffer?, started: ContinuousClock.Instant)
    /// The body is over the limit and was answered 413: the rest is read and dropped, so that
    /// the client sees the answer rather than a reset, then the connection closes.
    case discarding(remaining: Int)
    case answering(Task<Void, Never>?)
  }

  /// How much of an oversized body is drained before the connection is simply closed.
  private static let maxDiscardedBytes = 4 << 20

  /// The most request parts held while a request is answered; past it the connection stops
  /// reading until the held requests are answered.
  private static let maxHeldParts = 64

  private let responder: EdgeResponder
  private let maxBodyBytes: Int
  private let executor: EventLoopExecutor
  private var state = State.idle
  /// Parts of requests pipelined behind the one being answered.
  private var held = CircularBuffer<HTTPServerRequestPart>()
  private var readPending = false
  /// Shutting down: the request in progress is answered with `Connection: close`, then the
  /// connection closes.
  private var quiescing = false
  /// The client's address, formatted once per connection.
  private var peer = (text: "unknown", ip: "unknown")

  init(responder: EdgeResponder, maxBodyBytes: Int, eventLoop: any EventLoop) {
    self.responder = responder
    self.maxBodyBytes = maxBodyBytes
    self.executor = EventLoopExecutor(eventLoop: eventLoop)
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.peer = EdgeRequest.describe(context.channel.remoteAddress)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let part = self.unwrapInboundIn(data)
    if case .answering = self.state {
      self.held.append(part)
    } else if self.held.isEmpty {
      self.handle(part, context: context)
    } else {
      self.held.append(part)
      self.takeHeldRequests(context: context)
    }
  }

  func read(context: ChannelHandlerContext) {
    // Hold off reading while pipelined requests wait, so they cannot pile up without bound.
    if self.held.count >= Self.maxHeldParts || (!self.held.isEmpty && self.held.contains(where: Self.isEnd)) {
      self.readPending = true
    } else {
      context.read()
    }
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    guard event is ChannelShouldQuiesceEvent else {
      context.fireUserInboundEventTriggered(event)
      return
    }
    self.quiescing = true
    if case .idle = self.state, self.held.isEmpty {
      context.close(promise: nil)
    }
  }

  private static func isEnd(_ part: HTTPServerRequestPart) -> Bool {
    if case .end = part { return true }
    return false
  }

  /// Takes held requests in order until one has to wait for its answer.
  private func takeHeldRequests(context: ChannelHandlerContext) {
    while let part = self.held.first {
      if case .answering = self.state { break }
      self.held.removeFirst()
      self.handle(part, context: context)
    }
    if self.readPending, self.held.count < Self.maxHeldParts, !self.held.contains(where: Self.isEnd) {
      self.readPending = false
      context.read()
    }
  }

  private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
    switch (part, self.state) {
    case (.head(let head), .idle):
      let started = ContinuousClock.now
      if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > self.maxBodyBytes {
        self.refuseBody(head, started: started, context: context)
      } else {
        if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
          let proceed = HTTPResponseHead(version: head.version, status: .continue)
          context.writeAndFlush(self.wrapOutboundOut(.head(proceed)), promise: nil)
        }
        self.state = .reading(head, body: nil, started: started)
      }

    case (.body(var chunk), .reading(let head, let body, let started)):
      let received = (body?.readableBytes ?? 0) + chunk.readableBytes
      guard received <= self.maxBodyBytes else {
        self.refuseBody(head, started: started, context: context)
        return
      }
      if var body {
        self.state = .idle  // drops the state's reference, so the append does not copy
        body.writeBuffer(&chunk)
        self.state = .reading(head, body: body, started: started)
      } else {
        self.state = .reading(head, body: chunk, started: started)
      }

    case (.body(let chunk), .discarding(let remaining)):
      let left = remaining - chunk.readableBytes
      if left < 0 {
        context.close(promise: nil)
      } else {
        self.state = .discarding(remaining: left)
      }

    case (.end, .reading(let head, let body, let started)):
      self.answer(head, body: body, started: started, context: context)

    case (.end, .discarding):
      context.close(promise: nil)

    case (.head, _), (.body, _), (.end, _):
      // Parts out of order: the decoder never sends them, so the connection is broken.
      context.close(promise: nil)
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    if case .answering(let task?) = self.state {
      // The client went away: the upstream call is cancelled too.
      task.cancel()
    }
    self.state = .idle
    self.held.removeAll()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    guard let parserError = error as? HTTPParserError else {
      context.close(promise: nil)
      return
    }
    // A request NIO could not parse: answered if nothing is being answered yet, then closed.
    switch self.state {
    case .idle, .reading:
      let response: EdgeResponse
      switch parserError {
      case .headerOverflow:
        response = .error(status: 431, code: .resourceExhausted, message: "request header fields are too large")
      default:
        response = .error(status: 400, code: .invalidArgument, message: "malformed HTTP request: \(parserError)")
      }
      self.state = .answering(nil)
      self.write(response, requestID: RequestLoggingInterceptor.newRequestID(), version: .http1_1, keepAlive: false, context: context)
    case .discarding, .answering:
      context.close(promise: nil)
    }
  }

  // MARK: Answers

  private func answer(_ head: HTTPRequestHead, body: ByteBuffer?, started: ContinuousClock.Instant, context: ChannelHandlerContext) {
    let request = EdgeRequest(head: head, body: body, peer: self.peer)
    let requestID = head.headers.requestID()
    var subject: String?
    switch self.responder.respond(to: request, requestID: requestID, subject: &subject) {
    case .now(let response):
      self.state = .answering(nil)
      self.finish(request, response, requestID: requestID, subject: subject, started: started, head: head, context: context)

    case .later(let work):
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      let eventLoop = context.eventLoop
      let task = Task(executorPreference: self.executor) { [subject] in
        let response = await work()
        let deliver: @Sendable () -> Void = {
          let (handler, context) = bound.value
          guard case .answering = handler.state else { return }  // the connection closed meanwhile
          handler.finish(request, response, requestID: requestID, subject: subject, started: started, head: head, context: context)
        }
        // The task prefers this loop, so it normally resumes here already.
        if eventLoop.inEventLoop { deliver() } else { eventLoop.execute(deliver) }
      }
      self.state = .answering(task)
    }
  }

  private func finish(
    _ request: EdgeRequest,
    _ response: EdgeResponse,
    requestID: String,
    subject: String?,
    started: ContinuousClock.Instant,
    head: HTTPRequestHead,
    context: ChannelHandlerContext
  ) {
    // Logged first, so that a client that has its answer finds the line written.
    self.responder.logAccess(request, status: response.status, requestID: requestID, subject: subject, started: started)
    self.write(response, requestID: requestID, version: head.version, keepAlive: head.isKeepAlive, omitBody: head.method == .HEAD, context: context)
    if case .idle = self.state, !self.held.isEmpty {
      self.takeHeldRequests(context: context)
    }
  }

  /// Answers 413 at once and drops the rest of the body.
  private func refuseBody(_ head: HTTPRequestHead, started: ContinuousClock.Instant, context: ChannelHandlerContext) {
    var response = EdgeResponse.error(status: 413, code: .resourceExhausted, message: "request body exceeds \(self.maxBodyBytes) bytes")
    response.closesConnection = true
    let requestID = head.headers.requestID()
    let request = EdgeRequest(head: head, body: nil, peer: self.peer)
    self.responder.logAccess(request, status: response.status, requestID: requestID, subject: nil, started: started)
    self.write(response, requestID: requestID, version: head.version, keepAlive: false, context: context)
    self.state = .discarding(remaining: Self.maxDiscardedBytes)
  }

  private func write(
    _ response: EdgeResponse,
    requestID: String,
    version: HTTPVersion,
    keepAlive: Bool,
    omitBody: Bool = false,
    context: ChannelHandlerContext
  ) {
    let keepAlive = keepAlive && !response.closesConnection && !self.quiescing
    var headers = HTTPHeaders()
    headers.reserveCapacity(4 + response.headers.count)
    headers.add(name: "content-type", value: "application/json")
    headers.add(name: "content-length", value: String(response.body.count))
    headers.add(name: "x-request-id", value: requestID)
    for (name, value) in response.headers { headers.add(name: name, value: value) }
    if !keepAlive { headers.add(name: "connection", value: "close") }

    context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
    if !response.body.isEmpty && !omitBody {
      context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
    }
    if case .answering = self.state { self.state = .idle }
    if keepAlive {
      context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    } else if response.closesConnection {
      // Half-close: the client reads the answer while the rest of its body is drained.
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
        loopBound.value.close(mode: .output, promise: nil)
      }
    } else {
      let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
      context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
        loopBound.value.close(promise: nil)
      }
    }
  }
}

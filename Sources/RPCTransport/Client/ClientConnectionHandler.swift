internal import Logging
internal import NGHTTP2Bridge
internal import NIOCore
internal import RPCCore

/// The raw result of one call, before the response message is decoded.
struct RawResponse: Sendable {
  var metadata: Metadata
  var message: ByteBuffer
  var trailingMetadata: Metadata
}

/// Why a call failed, and whether it may be retried transparently because the server never saw
/// it (GOAWAY above its last stream, REFUSED_STREAM).
struct CallFailure: Error, Sendable {
  var error: RPCError
  var unprocessed: Bool
}

/// What a connection tells its pool.
struct ConnectionEvents: Sendable {
  var settingsChanged: @Sendable (_ maxConcurrentStreams: Int) -> Void
  var streamClosed: @Sendable () -> Void
  var goingAway: @Sendable () -> Void
  var closed: @Sendable () -> Void
}

/// One call to start on a connection.
struct OutboundCall: Sendable {
  var id: UInt64
  var path: String
  var metadata: Metadata
  var deadline: ContinuousClock.Instant?
  var body: ByteBuffer
  var maxResponseBytes: Int
  var completion: @Sendable (Result<RawResponse, CallFailure>) -> Void
}

/// Runs gRPC calls over one HTTP/2 client connection through nghttp2. Lives on the connection's
/// event loop.
final class ClientConnectionHandler: ChannelDuplexHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = Never
  typealias OutboundIn = Never
  typealias OutboundOut = ByteBuffer

  private let session: NGHTTP2Session
  private let configuration: ClientConfiguration
  private let authority: String
  private let events: ConnectionEvents
  private var context: ChannelHandlerContext?
  private var streams: [Int32: Stream] = [:]
  private var streamsByCall: [UInt64: Int32] = [:]
  private var cancelledBeforeStart: Set<UInt64> = []
  private var flushScheduled = false
  private var closed = false
  private var keepaliveTimer: Scheduled<Void>?
  private var pingTimeout: Scheduled<Void>?
  private var pingCounter: UInt64 = 0
  private var deadlineTimer = ConnectionDeadlineTimer()

  /// A call's stream. A class, so that the events of a response update it where it is rather
  /// than copying it out of the table and back for each one.
  private final class Stream {
    let call: OutboundCall
    var headers: [HTTP2Header]?
    var trailers: [HTTP2Header]?
    var deframer: MessageDeframer
    var messages: [ByteBuffer] = []

    init(call: OutboundCall) {
      self.call = call
      self.deframer = MessageDeframer(limit: call.maxResponseBytes)
    }
  }

  init(configuration: ClientConfiguration, authority: String, events: ConnectionEvents) throws {
    self.configuration = configuration
    self.authority = authority
    self.events = events
    self.session = try NGHTTP2Session(
      role: .client,
      settings: NGHTTP2Session.Settings(maxHeaderListSize: UInt32(clamping: configuration.maxHeaderListBytes))
    )
  }

  // MARK: Calls

  func start(_ call: OutboundCall) {
    if self.cancelledBeforeStart.remove(call.id) != nil {
      call.completion(.failure(CallFailure(error: RPCError(code: .cancelled, message: "The call was cancelled."), unprocessed: true)))
      return
    }
    guard !self.closed, let context = self.context else {
      call.completion(.failure(CallFailure(error: RPCError(code: .unavailable, message: "The connection closed."), unprocessed: true)))
      return
    }
    // The pool leased this connection before its GOAWAY was read: the call goes elsewhere.
    guard self.session.acceptsNewStreams else {
      call.completion(.failure(CallFailure(error: RPCError(code: .unavailable, message: "The server is going away (GOAWAY)."), unprocessed: true)))
      return
    }
    var headers: [HTTP2Header] = []
    headers.reserveCapacity(8 + call.metadata.count)
    headers += [
      HTTP2Header(":method", "POST"),
      HTTP2Header(":scheme", "http"),
      HTTP2Header(":path", call.path),
      HTTP2Header(":authority", self.authority),
      HTTP2Header("content-type", GRPCWire.contentType),
      HTTP2Header("te", "trailers"),
      HTTP2Header("user-agent", self.configuration.userAgent),
    ]
    if let deadline = call.deadline {
      let remaining = ContinuousClock.now.duration(to: deadline)
      guard remaining > .zero else {
        call.completion(.failure(CallFailure(error: RPCError(code: .deadlineExceeded, message: "Deadline exceeded before the call was sent."), unprocessed: false)))
        return
      }
      headers.append(HTTP2Header("grpc-timeout", GRPCTimeout(duration: remaining).headerValue))
    }
    GRPCWire.appendMetadata(call.metadata, to: &headers)
    let streamID: Int32
    do {
      streamID = try self.session.submitRequest(headers: headers, body: call.body)
    } catch {
      call.completion(.failure(CallFailure(error: RPCError(code: .unavailable, message: "Could not start a stream: \(error)"), unprocessed: true)))
      return
    }
    self.streams[streamID] = Stream(call: call)
    if let deadline = call.deadline { self.checkDeadline(by: deadline, context: context) }
    self.streamsByCall[call.id] = streamID
    self.scheduleKeepalive()
    self.scheduleFlush()
  }

  func cancel(callID: UInt64) {
    guard let streamID = self.streamsByCall[callID] else {
      self.cancelledBeforeStart.insert(callID)
      return
    }
    self.fail(streamID: streamID, RPCError(code: .cancelled, message: "The call was cancelled."), reset: HTTP2ErrorCode.cancel)
  }

  /// Makes sure the deadline timer fires by `deadline`.
  private func checkDeadline(by deadline: ContinuousClock.Instant, context: ChannelHandlerContext) {
    self.deadlineTimer.ensureFires(by: deadline, on: context.eventLoop.assumeIsolated()) { [self] in
      self.deadlineTimer.fired()
      self.expireDeadlines(context: context)
    }
  }

  /// Fails the calls whose deadlines passed; sets the timer for the rest.
  private func expireDeadlines(context: ChannelHandlerContext) {
    let now = ContinuousClock.now
    var expired: [Int32] = []
    var next: ContinuousClock.Instant?
    for (streamID, stream) in self.streams {
      guard let deadline = stream.call.deadline else { continue }
      if deadline <= now {
        expired.append(streamID)
      } else if next.map({ deadline < $0 }) ?? true {
        next = deadline
      }
    }
    for streamID in expired {
      self.fail(streamID: streamID, RPCError(code: .deadlineExceeded, message: "Deadline exceeded"), reset: HTTP2ErrorCode.cancel)
    }
    if let next { self.checkDeadline(by: next, context: context) }
  }

  /// Ends a call now: resets its stream and completes it with `error`.
  private func fail(streamID: Int32, _ error: RPCError, reset errorCode: UInt32) {
    guard let stream = self.streams.removeValue(forKey: streamID) else { return }
    self.streamsByCall[stream.call.id] = nil
    self.session.resetStream(streamID, errorCode: errorCode)
    self.scheduleFlush()
    stream.call.completion(.failure(CallFailure(error: error, unprocessed: false)))
  }

  // MARK: Channel events

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    if context.channel.isActive { self.flush() }
  }

  func channelActive(context: ChannelHandlerContext) {
    self.flush()
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    do {
      try self.session.receive(self.unwrapInboundIn(data))
    } catch {
      self.processEvents()
      self.flush()
      self.closeConnection(reason: "HTTP/2 error from the server: \(error)")
      return
    }
    self.processEvents()
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    self.flush()
    context.fireChannelReadComplete()
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.closeConnection(reason: "The connection closed.")
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    self.closeConnection(reason: "Connection error: \(error)")
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is GracefulShutdownEvent {
      // The client is closing: no new streams; close once the in-flight calls end.
      self.session.goAway()
      self.scheduleFlush()
      if self.streams.isEmpty { context.close(promise: nil) }
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }

  private func closeConnection(reason: String) {
    guard !self.closed else { return }
    self.closed = true
    self.keepaliveTimer?.cancel()
    self.pingTimeout?.cancel()
    self.deadlineTimer.cancel()
    let streams = self.streams
    self.streams.removeAll()
    self.streamsByCall.removeAll()
    for (_, stream) in streams {
      stream.call.completion(.failure(CallFailure(error: RPCError(code: .unavailable, message: reason), unprocessed: false)))
    }
    self.events.closed()
    self.context?.close(promise: nil)
  }

  // MARK: HTTP/2 events

  private func processEvents() {
    for event in self.session.takeEvents() {
      switch event {
      case .headers(let streamID, let headers, let endStream):
        guard let stream = self.streams[streamID] else { continue }
        if stream.headers == nil {
          stream.headers = headers
          if endStream { stream.trailers = headers }  // trailers-only
        } else {
          stream.trailers = headers
        }
      case .data(let streamID, let chunk):
        guard let stream = self.streams[streamID] else { continue }
        do {
          stream.messages += try stream.deframer.append(chunk)
        } catch {
          let message: String
          switch error {
          case .tooLarge(let declared, let limit): message = "Response message of \(declared) bytes exceeds the limit of \(limit) bytes"
          case .compressed: message = "Compressed response without a grpc-encoding"
          case .truncated: message = "Truncated response message"
          }
          let code: Status.Code = if case .tooLarge = error { .resourceExhausted } else { .internal }
          self.fail(streamID: streamID, RPCError(code: code, message: message), reset: HTTP2ErrorCode.cancel)
        }
      case .endStream:
        break
      case .streamClosed(let streamID, let errorCode):
        self.finish(streamID: streamID, errorCode: errorCode)
      case .headerListTooLarge:
        break
      case .goAway(let lastStreamID, let errorCode):
        self.events.goingAway()
        // Streams the server never processed can go to another connection unharmed.
        for (streamID, stream) in self.streams where streamID > lastStreamID {
          self.streams[streamID] = nil
          self.streamsByCall[stream.call.id] = nil
          stream.call.completion(.failure(CallFailure(
            error: RPCError(code: .unavailable, message: "The server is going away (GOAWAY, error \(errorCode))."),
            unprocessed: true
          )))
        }
      case .settingsChanged:
        self.events.settingsChanged(Int(self.session.remoteMaxConcurrentStreams))
      case .pingAcknowledged:
        self.pingTimeout?.cancel()
        self.pingTimeout = nil
      }
    }
  }

  private func finish(streamID: Int32, errorCode: UInt32) {
    guard let stream = self.streams.removeValue(forKey: streamID) else { return }
    self.streamsByCall[stream.call.id] = nil
    self.events.streamClosed()
    stream.call.completion(Self.result(of: stream, errorCode: errorCode))
  }

  private static func result(of stream: Stream, errorCode: UInt32) -> Result<RawResponse, CallFailure> {
    guard let trailers = stream.trailers, let headers = stream.headers else {
      let unprocessed = errorCode == HTTP2ErrorCode.refusedStream
      let code: Status.Code
      switch errorCode {
      case HTTP2ErrorCode.refusedStream: code = .unavailable
      case HTTP2ErrorCode.cancel: code = .cancelled
      case HTTP2ErrorCode.enhanceYourCalm: code = .resourceExhausted
      case HTTP2ErrorCode.noError, HTTP2ErrorCode.internalError: code = .internal
      default: code = .internal
      }
      return .failure(CallFailure(
        error: RPCError(code: code, message: "The stream closed without a status (HTTP/2 error \(errorCode))."),
        unprocessed: unprocessed
      ))
    }
    var httpStatus = 0
    var contentType = ""
    for header in headers {
      if header.name == ":status" { httpStatus = Int(header.value) ?? 0 }
      if header.name == "content-type" { contentType = header.value }
    }
    var grpcStatus: Int?
    var grpcMessage = ""
    for header in trailers {
      if header.name == "grpc-status" { grpcStatus = Int(header.value) }
      if header.name == "grpc-message" { grpcMessage = GRPCWire.percentDecode(header.value) }
    }
    let trailingMetadata = GRPCWire.metadata(from: trailers)
    guard let grpcStatus else {
      let code = httpStatus == 200 ? Status.Code.internal : GRPCWire.code(forHTTPStatus: httpStatus)
      return .failure(CallFailure(
        error: RPCError(code: code, message: "Response without grpc-status (HTTP \(httpStatus), content-type '\(contentType)')", metadata: trailingMetadata),
        unprocessed: false
      ))
    }
    guard grpcStatus == 0 else {
      let code = Status.Code(rawValue: grpcStatus) ?? .unknown
      return .failure(CallFailure(error: RPCError(code: code, message: grpcMessage, metadata: trailingMetadata), unprocessed: false))
    }
    guard stream.messages.count == 1 else {
      return .failure(CallFailure(
        error: RPCError(code: .internal, message: "Expected one response message, got \(stream.messages.count)", metadata: trailingMetadata),
        unprocessed: false
      ))
    }
    return .success(RawResponse(
      metadata: GRPCWire.metadata(from: headers),
      message: stream.messages[0],
      trailingMetadata: trailingMetadata
    ))
  }

  // MARK: Keepalive

  private func scheduleKeepalive() {
    guard let keepalive = self.configuration.keepalive, self.keepaliveTimer == nil, let context = self.context else { return }
    self.keepaliveTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(keepalive.interval.nanosecondsClampedToZero)) { [self] in
      self.keepaliveTimer = nil
      guard !self.closed else { return }
      if self.streams.isEmpty && !keepalive.permitWithoutCalls { return }
      self.pingCounter &+= 1
      self.session.ping(opaque: self.pingCounter)
      self.flush()
      if self.pingTimeout == nil {
        self.pingTimeout = self.context?.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(keepalive.timeout.nanosecondsClampedToZero)) { [self] in
          self.closeConnection(reason: "Keepalive ping not answered within \(keepalive.timeout).")
        }
      }
      self.scheduleKeepalive()
    }
  }

  /// Starts pinging at once for connections that ping without calls.
  func startKeepaliveIfPermittedWithoutCalls() {
    if self.configuration.keepalive?.permitWithoutCalls == true { self.scheduleKeepalive() }
  }

  // MARK: Output

  private func scheduleFlush() {
    guard !self.flushScheduled, let context = self.context else { return }
    self.flushScheduled = true
    context.eventLoop.assumeIsolated().execute { [self] in
      self.flushScheduled = false
      self.flush()
    }
  }

  private func flush() {
    guard let context = self.context else { return }
    do {
      try self.session.writePending(to: context)
    } catch {
      self.closeConnection(reason: "HTTP/2 error: \(error)")
      return
    }
    // A stream refused as it came to be sent ends its call now, not at the next read.
    if self.session.hasEvents { self.processEvents() }
  }
}

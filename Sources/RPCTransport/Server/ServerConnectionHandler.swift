internal import Logging
internal import NGHTTP2Bridge
internal import NIOCore
internal import RPCCore

/// Serves gRPC on one HTTP/2 connection: owns its nghttp2 session, turns requests into calls of
/// the router's methods, and answers them. Lives on the connection's event loop; everything that
/// touches the session happens there.
final class ServerConnectionHandler: ChannelDuplexHandler {
  typealias InboundIn = ByteBuffer
  typealias InboundOut = Never
  typealias OutboundIn = Never
  typealias OutboundOut = ByteBuffer

  /// What the handler needs from the server; shared by all connections.
  struct Shared: Sendable {
    let router: RPCRouter
    let interceptors: [any ServerInterceptor]
    let configuration: ServerConfiguration
    let logger: Logger
  }

  private let shared: Shared
  private let session: NGHTTP2Session
  private let executor: EventLoopExecutor
  private var streams: [Int32: Stream] = [:]
  private var context: ChannelHandlerContext?
  private var peer = "unknown"
  private var draining = false
  /// Idle GOAWAY sent: open until the client closes or the linger ends.
  private var lingering = false
  private var flushScheduled = false
  private var pendingRead = false
  private var idleTimer: Scheduled<Void>?
  private var graceTimer: Scheduled<Void>?
  private var deadlineTimer = ConnectionDeadlineTimer()
  /// Streams to reset once their response has gone out, to stop a client still uploading. Reset
  /// only after the response frames are written: a reset queued together with them can overtake
  /// them, and the client would see the reset instead of the status.
  private var resetsAfterFlush: [Int32] = []

  private struct Stream {
    enum Phase {
      /// Headers are in; the request message is arriving.
      case receiving(ServerMethod, MessageDeframer, [ByteBuffer])
      /// The handler runs.
      case running(Task<Void, Never>)
      /// The response is queued; waiting for nghttp2 to close the stream.
      case responded
    }

    var phase: Phase
    var descriptor: MethodDescriptor
    var metadata: Metadata
    var deadline: ContinuousClock.Instant?
  }

  init(shared: Shared, eventLoop: any EventLoop) throws {
    self.shared = shared
    self.executor = EventLoopExecutor(eventLoop: eventLoop)
    self.session = try NGHTTP2Session(
      role: .server,
      settings: NGHTTP2Session.Settings(
        maxConcurrentStreams: UInt32(clamping: shared.configuration.maxConcurrentStreams),
        maxHeaderListSize: UInt32(clamping: shared.configuration.maxHeaderListBytes)
      )
    )
  }

  // MARK: Channel events

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    if let address = context.channel.remoteAddress {
      self.peer = Self.describe(address)
    }
    if context.channel.isActive { self.flush() }
    self.resetIdleTimer()
  }

  func channelActive(context: ChannelHandlerContext) {
    self.flush()
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let bytes = self.unwrapInboundIn(data)
    do {
      try self.session.receive(bytes)
    } catch {
      // A bad preface, a flood, a protocol violation: nghttp2 queued a GOAWAY; send it and
      // close this connection only.
      self.shared.logger.debug("closing connection after HTTP/2 error", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
      self.processEvents()
      self.flush()
      context.close(promise: nil)
      return
    }
    self.processEvents()
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    self.flush()
    context.fireChannelReadComplete()
  }

  func channelInactive(context: ChannelHandlerContext) {
    for (_, stream) in self.streams {
      if case .running(let task) = stream.phase { task.cancel() }
    }
    self.deadlineTimer.cancel()
    self.streams.removeAll()
    self.idleTimer?.cancel()
    self.graceTimer?.cancel()
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    self.shared.logger.debug("connection error", metadata: ["peer": "\(self.peer)", "error": "\(error)"])
    context.close(promise: nil)
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is GracefulShutdownEvent {
      self.beginDraining()
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }

  /// Back-pressure: a peer that does not read its responses stops being read from.
  func read(context: ChannelHandlerContext) {
    if context.channel.isWritable {
      context.read()
    } else {
      self.pendingRead = true
    }
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if context.channel.isWritable && self.pendingRead {
      self.pendingRead = false
      context.read()
    }
    context.fireChannelWritabilityChanged()
  }

  // MARK: HTTP/2 events

  private func processEvents() {
    for event in self.session.takeEvents() {
      switch event {
      case .headers(let streamID, let headers, let endStream):
        if self.streams[streamID] == nil {
          self.beginRequest(streamID: streamID, headers: headers)
        }
        if endStream { self.requestEnded(streamID: streamID) }
      case .data(let streamID, let chunk):
        self.receiveData(streamID: streamID, chunk: chunk)
      case .endStream(let streamID):
        self.requestEnded(streamID: streamID)
      case .streamClosed(let streamID, let errorCode):
        self.streamClosed(streamID: streamID, errorCode: errorCode)
      case .headerListTooLarge(let streamID):
        self.shared.logger.debug("request headers over the limit; stream reset", metadata: ["peer": "\(self.peer)", "stream": "\(streamID)"])
      case .goAway, .settingsChanged, .pingAcknowledged:
        break
      }
    }
  }

  private func beginRequest(streamID: Int32, headers: [HTTP2Header]) {
    var method = ""
    var path = ""
    var contentType = ""
    var timeout: String?
    var encoding: String?
    for header in headers {
      switch header.name {
      case ":method": method = header.value
      case ":path": path = header.value
      case "content-type": contentType = header.value
      case "grpc-timeout": timeout = header.value
      case "grpc-encoding": encoding = header.value
      default: break
      }
    }
    self.idleTimer?.cancel()
    guard method == "POST" else {
      self.respondHTTPError(streamID: streamID, status: 405)
      return
    }
    guard GRPCWire.isGRPCContentType(contentType) else {
      self.respondHTTPError(streamID: streamID, status: 415)
      return
    }
    guard let serverMethod = self.shared.router.method(forPath: path) else {
      self.respondTrailersOnly(streamID: streamID, status: Status(code: .unimplemented, message: "Method not found: \(path)"))
      return
    }
    if let encoding, encoding != "identity" {
      self.respondTrailersOnly(
        streamID: streamID,
        status: Status(code: .unimplemented, message: "grpc-encoding '\(encoding)' is not supported; use identity"),
        extraHeaders: [HTTP2Header("grpc-accept-encoding", "identity")]
      )
      return
    }
    var deadline: ContinuousClock.Instant?
    if let timeout {
      guard let parsed = GRPCTimeout(headerValue: timeout) else {
        self.respondTrailersOnly(streamID: streamID, status: Status(code: .internal, message: "Malformed grpc-timeout '\(timeout)'"))
        return
      }
      deadline = .now.advanced(by: parsed.duration)
    }
    let stream = Stream(
      phase: .receiving(serverMethod, MessageDeframer(limit: self.shared.configuration.maxReceiveMessageBytes), []),
      descriptor: serverMethod.descriptor,
      metadata: GRPCWire.metadata(from: headers),
      deadline: deadline
    )
    self.streams[streamID] = stream
    if let deadline { self.checkDeadline(by: deadline) }
  }

  private func receiveData(streamID: Int32, chunk: ByteBuffer) {
    guard var stream = self.streams[streamID], case .receiving(let method, var deframer, var messages) = stream.phase else {
      return
    }
    do {
      messages += try deframer.append(chunk)
    } catch {
      self.failReceiving(streamID: streamID, error)
      return
    }
    stream.phase = .receiving(method, deframer, messages)
    self.streams[streamID] = stream
  }

  private func failReceiving(streamID: Int32, _ failure: MessageDeframer.Failure) {
    let status: Status
    switch failure {
    case .tooLarge(let declared, let limit):
      status = Status(code: .resourceExhausted, message: "Request message of \(declared) bytes exceeds the limit of \(limit) bytes")
    case .compressed:
      status = Status(code: .internal, message: "Compressed message without a grpc-encoding")
    case .truncated(let missing):
      status = Status(code: .internal, message: "The request ended \(missing) bytes short of a complete message")
    }
    self.respondTrailersOnly(streamID: streamID, status: status)
    // Stop the peer from uploading the rest.
    self.resetsAfterFlush.append(streamID)
    self.scheduleFlush()
  }

  private func requestEnded(streamID: Int32) {
    guard var stream = self.streams[streamID], case .receiving(let method, let deframer, let messages) = stream.phase else {
      return
    }
    do {
      try deframer.finish()
    } catch {
      self.failReceiving(streamID: streamID, error)
      return
    }
    guard messages.count == 1 else {
      let message = messages.isEmpty ? "No request message for unary method" : "\(messages.count) request messages for unary method"
      self.respondTrailersOnly(streamID: streamID, status: Status(code: .internal, message: "\(message) \(stream.descriptor)"))
      return
    }
    let prepared: PreparedServerCall
    do {
      prepared = try messages[0].withUnsafeReadableBytes { bytes throws(RPCError) in
        try method.prepareCall(message: bytes, metadata: stream.metadata)
      }
    } catch {
      self.respondTrailersOnly(streamID: streamID, status: error.status)
      return
    }
    let callContext = ServerContext(descriptor: stream.descriptor, deadline: stream.deadline, peer: self.peer)
    let interceptors = self.shared.interceptors
    let handler = NIOLoopBound(self, eventLoop: self.executor.eventLoop)
    let task = Task(executorPreference: self.executor) {
      let outcome = await prepared.run(context: callContext, interceptors: interceptors)
      // With the executor preference the task normally ends on the connection's loop already.
      if handler.eventLoop.inEventLoop {
        handler.value.callFinished(streamID: streamID, outcome: outcome)
      } else {
        handler.eventLoop.execute {
          handler.value.callFinished(streamID: streamID, outcome: outcome)
        }
      }
    }
    stream.phase = .running(task)
    self.streams[streamID] = stream
  }

  private func callFinished(streamID: Int32, outcome: ServerCallOutcome) {
    guard var stream = self.streams[streamID], case .running = stream.phase else { return }
    stream.phase = .responded
    self.streams[streamID] = stream
    switch outcome.result {
    case .success(let reply):
      let body: ByteBuffer
      do {
        body = try GRPCWire.frame(reply.message, allocator: self.context?.channel.allocator ?? ByteBufferAllocator())
      } catch {
        self.respondTrailersOnly(streamID: streamID, status: Status(code: .internal, message: "Failed to encode the response: \(error)"))
        self.scheduleFlush()
        return
      }
      var headers = [HTTP2Header(":status", "200"), HTTP2Header("content-type", GRPCWire.contentType)]
      GRPCWire.appendMetadata(outcome.metadata, to: &headers)
      var trailers: [HTTP2Header] = []
      GRPCWire.appendStatus(.ok, to: &trailers)
      GRPCWire.appendMetadata(reply.trailingMetadata, to: &trailers)
      do {
        try self.session.submitResponse(streamID: streamID, headers: headers, body: body, trailers: trailers)
      } catch {
        self.session.resetStream(streamID, errorCode: HTTP2ErrorCode.internalError)
      }
    case .failure(let error):
      self.respondTrailersOnly(streamID: streamID, status: error.status, metadata: error.metadata)
    }
    self.scheduleFlush()
  }

  /// Makes sure the deadline timer fires by `deadline`.
  private func checkDeadline(by deadline: ContinuousClock.Instant) {
    guard let context = self.context else { return }
    self.deadlineTimer.ensureFires(by: deadline, on: context.eventLoop.assumeIsolated()) { [self] in
      self.deadlineTimer.fired()
      self.expireDeadlines()
    }
  }

  /// Answers DEADLINE_EXCEEDED to the calls whose deadlines passed; sets the timer for the rest.
  private func expireDeadlines() {
    let now = ContinuousClock.now
    var expired: [Int32] = []
    var next: ContinuousClock.Instant?
    for (streamID, stream) in self.streams {
      guard let deadline = stream.deadline else { continue }
      switch stream.phase {
      case .receiving, .running:
        if deadline <= now {
          expired.append(streamID)
        } else if next.map({ deadline < $0 }) ?? true {
          next = deadline
        }
      case .responded:
        break
      }
    }
    for streamID in expired { self.deadlinePassed(streamID: streamID) }
    if let next { self.checkDeadline(by: next) }
  }

  private func deadlinePassed(streamID: Int32) {
    guard var stream = self.streams[streamID] else { return }
    switch stream.phase {
    case .receiving, .running:
      let stillUploading: Bool
      if case .running(let task) = stream.phase {
        task.cancel()
        stillUploading = false
      } else {
        stillUploading = true
      }
      stream.phase = .responded
      self.streams[streamID] = stream
      self.respondTrailersOnly(streamID: streamID, status: Status(code: .deadlineExceeded, message: "Deadline exceeded"))
      if stillUploading { self.resetsAfterFlush.append(streamID) }
      self.scheduleFlush()
    case .responded:
      break
    }
  }

  private func streamClosed(streamID: Int32, errorCode: UInt32) {
    guard let stream = self.streams.removeValue(forKey: streamID) else { return }
    if case .running(let task) = stream.phase {
      // RST_STREAM from the client (or the connection ending): the handler is cancelled.
      task.cancel()
    }
    if self.streams.isEmpty {
      if self.draining {
        self.scheduleFlush()
        self.closeWhenFlushed()
      } else {
        self.resetIdleTimer()
      }
    }
  }

  // MARK: Responses

  private func respondTrailersOnly(streamID: Int32, status: Status, metadata: Metadata = [:], extraHeaders: [HTTP2Header] = []) {
    if var stream = self.streams[streamID] {
      stream.phase = .responded
      self.streams[streamID] = stream
    }
    var headers = [HTTP2Header(":status", "200"), HTTP2Header("content-type", GRPCWire.contentType)]
    GRPCWire.appendStatus(status, to: &headers)
    headers += extraHeaders
    GRPCWire.appendMetadata(metadata, to: &headers)
    do {
      try self.session.submitHeadersOnly(streamID: streamID, headers: headers)
    } catch {
      self.session.resetStream(streamID, errorCode: HTTP2ErrorCode.internalError)
    }
  }

  private func respondHTTPError(streamID: Int32, status: Int) {
    do {
      try self.session.submitHeadersOnly(
        streamID: streamID,
        headers: [HTTP2Header(":status", String(status)), HTTP2Header("content-type", "text/plain")]
      )
    } catch {
      self.session.resetStream(streamID, errorCode: HTTP2ErrorCode.protocolError)
    }
  }

  // MARK: Output

  private func scheduleFlush() {
    guard !self.flushScheduled, let context = self.context else { return }
    self.flushScheduled = true
    // Coalesce: every call that finishes in this event-loop tick goes out in one write.
    context.eventLoop.assumeIsolated().execute { [self] in
      self.flushScheduled = false
      self.flush()
    }
  }

  private func flush() {
    guard let context = self.context else { return }
    let resets = self.resetsAfterFlush
    self.resetsAfterFlush.removeAll()
    do {
      try self.session.writePending(to: context, resetting: resets)
    } catch {
      context.close(promise: nil)
      return
    }
    // A stream closes once its last frame is out: forget it now, not at the client's next
    // frame, which may never come (the idle timer waits for the table to empty).
    if self.session.hasEvents { self.processEvents() }
    if !self.session.wantsRead && !self.session.wantsWrite && !self.lingering {
      context.close(promise: nil)
    }
  }

  // MARK: Lifecycle

  /// Sends GOAWAY and closes once the calls in flight have ended.
  /// - Parameter idle: The connection is closed for being idle, not because the server stops. A
  ///   client may have sent a call that crossed the GOAWAY; closing at once would reset the
  ///   connection under it, and the client could not tell that the call was never processed. So
  ///   the connection stays open until the client closes it (it has read the GOAWAY and retries
  ///   such a call elsewhere) or a second has passed.
  private func beginDraining(idle: Bool = false) {
    guard !self.draining, let context = self.context else { return }
    self.draining = true
    // nghttp2 wants no more input once its GOAWAY is out, but what arrives is still read (and
    // ignored) rather than left unread for a reset.
    self.lingering = idle && self.streams.isEmpty
    self.idleTimer?.cancel()
    self.session.goAway()
    self.flush()
    if self.lingering {
      let linger = min(Self.idleGoAwayLinger, self.shared.configuration.shutdownGracePeriod)
      self.graceTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(linger.nanosecondsClampedToZero)) { [self] in
        self.context?.close(promise: nil)
      }
      return
    }
    if self.streams.isEmpty {
      self.closeWhenFlushed()
      return
    }
    let grace = self.shared.configuration.shutdownGracePeriod
    self.graceTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(grace.nanosecondsClampedToZero)) { [self] in
      self.shared.logger.info("grace period over; closing connection with calls in flight", metadata: ["peer": "\(self.peer)", "calls": "\(self.streams.count)"])
      self.context?.close(promise: nil)
    }
  }

  private func closeWhenFlushed() {
    guard let context = self.context else { return }
    context.eventLoop.assumeIsolated().execute { [self] in
      self.flush()
      self.context?.close(promise: nil)
    }
  }

  /// How long an idle connection stays open after its GOAWAY, at most.
  private static let idleGoAwayLinger = Duration.seconds(1)

  private func resetIdleTimer() {
    self.idleTimer?.cancel()
    guard let idle = self.shared.configuration.maxConnectionIdle, let context = self.context else { return }
    self.idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(idle.nanosecondsClampedToZero)) { [self] in
      guard self.streams.isEmpty else { return }
      self.beginDraining(idle: true)
    }
  }

  static func describe(_ address: SocketAddress) -> String {
    switch address {
    case .v4: "ipv4:\(address.ipAddress ?? "?"):\(address.port ?? 0)"
    case .v6: "ipv6:[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
    case .unixDomainSocket: "unix:\(address.pathname ?? "?")"
    }
  }
}

/// Sent down a connection's pipeline when the server shuts down gracefully.
struct GracefulShutdownEvent: Sendable {}

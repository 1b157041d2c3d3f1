internal import CNGHTTP2
public import NIOCore

/// One HTTP/2 connection's state machine: nghttp2 does the framing, HPACK, flow control and
/// stream states; this class feeds it bytes and turns its callbacks into ``NGHTTP2Event``s.
///
/// Not thread-safe: a session belongs to one channel on one event loop.
public final class NGHTTP2Session {
  /// Which end of the connection this is.
  public enum Role: Sendable {
    case client
    case server
  }

  /// Settings this endpoint advertises.
  public struct Settings: Sendable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS; nghttp2 refuses streams over it.
    public var maxConcurrentStreams: UInt32?
    /// SETTINGS_INITIAL_WINDOW_SIZE for streams.
    public var initialWindowSize: UInt32 = 1 << 20
    /// SETTINGS_MAX_HEADER_LIST_SIZE; also enforced on what is received.
    public var maxHeaderListSize: UInt32 = 16 << 10

    public init(maxConcurrentStreams: UInt32? = nil, initialWindowSize: UInt32 = 1 << 20, maxHeaderListSize: UInt32 = 16 << 10) {
      self.maxConcurrentStreams = maxConcurrentStreams
      self.initialWindowSize = initialWindowSize
      self.maxHeaderListSize = maxHeaderListSize
    }
  }

  private var session: OpaquePointer!
  private let allocator: ByteBufferAllocator
  private let maxHeaderListBytes: Int
  /// Events recorded by callbacks during `receive` or `flush`, handed out by `takeEvents`.
  private var events: [NGHTTP2Event] = []
  /// The header block being received. HTTP/2 sends a block (HEADERS and its CONTINUATIONs) with
  /// no other frame in between, so there is at most one; a plain property, because updating a
  /// block inside a dictionary cost a heap-allocated accessor frame for every header.
  private var headerBlock: HeaderBlock?
  /// Bodies and trailers waiting to be pulled by nghttp2's data provider, by stream.
  private var outbound: [Int32: OutboundBody] = [:]
  /// The buffer `receive` is reading, so DATA payloads can be sliced from it instead of copied.
  private var input: ByteBuffer?
  private var inputBase: UnsafeRawPointer?

  private struct HeaderBlock {
    let streamID: Int32
    var headers: [HTTP2Header]
    var bytes = 0

    init(streamID: Int32) {
      self.streamID = streamID
      // gRPC's blocks have a handful of fields: one allocation rather than growing 1, 2, 4, 8.
      self.headers = []
      self.headers.reserveCapacity(8)
    }
  }

  private struct OutboundBody {
    var body: ByteBuffer
    var trailers: [HTTP2Header]?
  }

  /// Creates a session and queues this endpoint's SETTINGS (and, for a client, the preface).
  /// - Parameters:
  ///   - role: Client or server.
  ///   - settings: The settings to advertise.
  ///   - allocator: Allocates output and copied input.
  public init(role: Role, settings: Settings, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(NGHTTP2Error) {
    self.allocator = allocator
    self.maxHeaderListBytes = Int(settings.maxHeaderListSize)
    var option: OpaquePointer?
    try nghttp2Check(nghttp2_option_new(&option), "nghttp2_option_new")
    defer { nghttp2_option_del(option) }
    // Bound what a peer that never reads can make us queue: SETTINGS and PING acks.
    nghttp2_option_set_max_outbound_ack(option, 1000)
    if role == .client {
      // Until the server's SETTINGS arrive, assume the RFC's recommended minimum.
      nghttp2_option_set_peer_max_concurrent_streams(option, 100)
    }
    let userData = Unmanaged.passUnretained(self).toOpaque()
    var session: OpaquePointer?
    switch role {
    case .client:
      try nghttp2Check(nghttp2_session_client_new2(&session, Callbacks.shared.pointer, userData, option), "nghttp2_session_client_new2")
    case .server:
      try nghttp2Check(nghttp2_session_server_new2(&session, Callbacks.shared.pointer, userData, option), "nghttp2_session_server_new2")
    }
    self.session = session
    var entries: [nghttp2_settings_entry] = [
      nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
      nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: settings.initialWindowSize),
      nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: settings.maxHeaderListSize),
    ]
    if let maxStreams = settings.maxConcurrentStreams {
      entries.append(nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: maxStreams))
    }
    try nghttp2Check(
      nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count),
      "nghttp2_submit_settings"
    )
    // A larger connection window than the 64 KiB default, so one big message does not stall
    // every other stream.
    try nghttp2Check(
      nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(settings.initialWindowSize) * 4),
      "nghttp2_session_set_local_window_size"
    )
  }

  deinit {
    nghttp2_session_del(self.session)
  }

  // MARK: Input and output

  /// Feeds bytes read from the socket. Afterwards, `takeEvents()` returns what they meant.
  /// - Parameter buffer: Bytes from the peer.
  /// - Throws: A fatal error (bad preface, flood, protocol violation); the connection must be
  ///   flushed, for the GOAWAY nghttp2 queued, and closed.
  public func receive(_ buffer: ByteBuffer) throws(NGHTTP2Error) {
    self.input = buffer
    defer {
      self.input = nil
      self.inputBase = nil
    }
    let result = buffer.withUnsafeReadableBytes { bytes -> Int in
      self.inputBase = bytes.baseAddress
      guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
      return nghttp2_session_mem_recv(self.session, base, bytes.count)
    }
    try nghttp2Check(result, "nghttp2_session_mem_recv")
  }

  /// Whether events wait to be taken. Sending records some too: a stream closes once its last
  /// frame is out, and a request nghttp2 may no longer send (the peer sent GOAWAY) is closed
  /// with REFUSED_STREAM when its turn to be sent comes.
  public var hasEvents: Bool { !self.events.isEmpty }

  /// The events recorded since the last call.
  public func takeEvents() -> [NGHTTP2Event] {
    defer { self.events.removeAll(keepingCapacity: true) }
    return self.events
  }

  /// Appends everything nghttp2 has to send to `buffer`.
  /// - Parameter buffer: Where the frames go; written to the socket in one write.
  public func flush(into buffer: inout ByteBuffer) throws(NGHTTP2Error) {
    while true {
      var data: UnsafePointer<UInt8>?
      let count = try nghttp2Check(nghttp2_session_mem_send(self.session, &data), "nghttp2_session_mem_send")
      guard count > 0, let data else { return }
      // Valid only until the next mem_send: copy at once.
      buffer.writeBytes(UnsafeRawBufferPointer(start: data, count: count))
    }
  }

  /// Whether nghttp2 wants more input; false once the session has ended (after GOAWAY both ways).
  public var wantsRead: Bool { nghttp2_session_want_read(self.session) != 0 }

  /// Whether a new request may be submitted: false once the peer sent GOAWAY or the session is
  /// closing, when nghttp2 would refuse the stream only as it came to send it.
  public var acceptsNewStreams: Bool { nghttp2_session_check_request_allowed(self.session) != 0 }

  /// Whether nghttp2 has something to send.
  public var wantsWrite: Bool { nghttp2_session_want_write(self.session) != 0 }

  // MARK: Submissions

  /// Queues a request: HEADERS, then `body` as DATA with END_STREAM.
  /// - Parameters:
  ///   - headers: Pseudo-headers first, then the rest.
  ///   - body: The request body.
  /// - Returns: The new stream's ID.
  public func submitRequest(headers: [HTTP2Header], body: ByteBuffer) throws(NGHTTP2Error) -> Int32 {
    var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: Callbacks.readBody)
    let streamID = try Self.withNameValues(headers) { (nva, count) throws(NGHTTP2Error) -> Int32 in
      try nghttp2Check(nghttp2_submit_request(self.session, nil, nva, count, &provider, nil), "nghttp2_submit_request")
    }
    self.outbound[streamID] = OutboundBody(body: body, trailers: nil)
    return streamID
  }

  /// Queues a response: HEADERS, `body` as DATA, then trailers with END_STREAM.
  /// - Parameters:
  ///   - streamID: The request's stream.
  ///   - headers: `:status` first, then the rest.
  ///   - body: The response body.
  ///   - trailers: The trailers.
  public func submitResponse(streamID: Int32, headers: [HTTP2Header], body: ByteBuffer, trailers: [HTTP2Header]) throws(NGHTTP2Error) {
    self.outbound[streamID] = OutboundBody(body: body, trailers: trailers)
    var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: Callbacks.readBody)
    do {
      try Self.withNameValues(headers) { (nva, count) throws(NGHTTP2Error) in
        try nghttp2Check(nghttp2_submit_response(self.session, streamID, nva, count, &provider), "nghttp2_submit_response")
      }
    } catch {
      self.outbound[streamID] = nil
      throw error
    }
  }

  /// Queues a response that is one HEADERS frame with END_STREAM: gRPC's trailers-only form, or
  /// a plain HTTP error.
  /// - Parameters:
  ///   - streamID: The request's stream.
  ///   - headers: `:status` first, then the rest.
  public func submitHeadersOnly(streamID: Int32, headers: [HTTP2Header]) throws(NGHTTP2Error) {
    try Self.withNameValues(headers) { (nva, count) throws(NGHTTP2Error) in
      try nghttp2Check(nghttp2_submit_response(self.session, streamID, nva, count, nil), "nghttp2_submit_response")
    }
  }

  /// Queues RST_STREAM.
  /// - Parameters:
  ///   - streamID: The stream.
  ///   - errorCode: An ``HTTP2ErrorCode``.
  public func resetStream(_ streamID: Int32, errorCode: UInt32) {
    self.outbound[streamID] = nil
    nghttp2_submit_rst_stream(self.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode)
  }

  /// Queues GOAWAY: streams up to the last one processed complete, later ones are refused.
  /// - Parameter errorCode: An ``HTTP2ErrorCode``.
  public func goAway(errorCode: UInt32 = HTTP2ErrorCode.noError) {
    let last = nghttp2_session_get_last_proc_stream_id(self.session)
    nghttp2_submit_goaway(self.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, errorCode, nil, 0)
  }

  /// Queues a PING.
  /// - Parameter opaque: Eight bytes the peer echoes.
  public func ping(opaque: UInt64) {
    var data = opaque.bigEndian
    withUnsafeBytes(of: &data) { bytes in
      _ = nghttp2_submit_ping(self.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }
  }

  /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS.
  public var remoteMaxConcurrentStreams: UInt32 {
    nghttp2_session_get_remote_settings(self.session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS)
  }

  /// Passes `headers` to nghttp2 as an `nghttp2_nv` array, valid for the duration of `body`
  /// (nghttp2 copies names and values on submission). Names, values and the array live in one
  /// temporary allocation, on the stack for the usual few hundred bytes.
  @discardableResult
  private static func withNameValues<R>(
    _ headers: [HTTP2Header],
    _ body: (UnsafePointer<nghttp2_nv>, Int) throws(NGHTTP2Error) -> R
  ) throws(NGHTTP2Error) -> R {
    let textBytes = headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
    let arrayBytes = headers.count * MemoryLayout<nghttp2_nv>.stride
    let result: Result<R, NGHTTP2Error> = withUnsafeTemporaryAllocation(
      byteCount: arrayBytes + max(textBytes, 1),
      alignment: MemoryLayout<nghttp2_nv>.alignment
    ) { raw in
      let nva = raw.baseAddress!.bindMemory(to: nghttp2_nv.self, capacity: headers.count)
      let text = (raw.baseAddress! + arrayBytes).assumingMemoryBound(to: UInt8.self)
      var offset = 0
      for (index, header) in headers.enumerated() {
        let name = text + offset
        offset += Self.copyUTF8(header.name, to: name)
        let value = text + offset
        offset += Self.copyUTF8(header.value, to: value)
        (nva + index).initialize(
          to: nghttp2_nv(
            name: name,
            value: value,
            namelen: value - name,
            valuelen: text + offset - value,
            flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
          )
        )
      }
      do throws(NGHTTP2Error) {
        return .success(try body(nva, headers.count))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Copies a string's UTF-8 to `destination`; returns how many bytes.
  private static func copyUTF8(_ string: String, to destination: UnsafeMutablePointer<UInt8>) -> Int {
    var string = string
    return string.withUTF8 { bytes in
      if let base = bytes.baseAddress { destination.update(from: base, count: bytes.count) }
      return bytes.count
    }
  }

  // MARK: Callbacks (called by nghttp2 during mem_recv / mem_send)

  fileprivate func onBeginHeaders(streamID: Int32) {
    self.headerBlock = HeaderBlock(streamID: streamID)
  }

  fileprivate func onHeader(streamID: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Int32 {
    guard let bytes = self.headerBlock?.bytes, self.headerBlock?.streamID == streamID else { return 0 }
    // RFC 9113's accounting: name + value + 32 per field.
    let total = bytes + name.count + value.count + 32
    if total > self.maxHeaderListBytes {
      self.headerBlock = nil
      self.events.append(.headerListTooLarge(streamID: streamID))
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
    }
    // In place: a copy of the block would copy its headers on every append.
    self.headerBlock?.bytes = total
    self.headerBlock?.headers.append(HTTP2Header(Self.string(name), Self.string(value)))
    return 0
  }

  /// Names and values of every gRPC exchange that are too long for Swift's inline small
  /// strings (15 bytes): shared instead of allocated for each header received.
  private static let commonLongStrings: [String] = [
    "application/grpc", "application/grpc+proto", "grpc-accept-encoding", "grpc-status-details-bin",
  ]

  /// A received name or value as a String; a common long one is not allocated again.
  private static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    if bytes.count > 15 {
      for common in Self.commonLongStrings where common.utf8.count == bytes.count && common.utf8.elementsEqual(bytes) {
        return common
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  fileprivate func onFrameReceived(_ frame: UnsafePointer<nghttp2_frame>) {
    let header = frame.pointee.hd
    let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
    switch UInt32(header.type) {
    case NGHTTP2_HEADERS.rawValue:
      if let block = self.headerBlock, block.streamID == header.stream_id {
        self.headerBlock = nil
        self.events.append(.headers(streamID: header.stream_id, headers: block.headers, endStream: endStream))
      }
    case NGHTTP2_DATA.rawValue:
      if endStream { self.events.append(.endStream(streamID: header.stream_id)) }
    case NGHTTP2_GOAWAY.rawValue:
      self.events.append(.goAway(lastStreamID: frame.pointee.goaway.last_stream_id, errorCode: frame.pointee.goaway.error_code))
    case NGHTTP2_SETTINGS.rawValue:
      if header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0 { self.events.append(.settingsChanged) }
    case NGHTTP2_PING.rawValue:
      if header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0 {
        var opaque: UInt64 = 0
        withUnsafeMutableBytes(of: &opaque) { destination in
          withUnsafeBytes(of: frame.pointee.ping.opaque_data) { destination.copyMemory(from: $0) }
        }
        self.events.append(.pingAcknowledged(opaque: UInt64(bigEndian: opaque)))
      }
    default:
      break
    }
  }

  fileprivate func onDataChunk(streamID: Int32, data: UnsafePointer<UInt8>, count: Int) {
    // nghttp2 hands out DATA payload in place in the input buffer: slice it rather than copy.
    if let input = self.input, let base = self.inputBase {
      let offset = UnsafeRawPointer(data) - base
      if offset >= 0, offset + count <= input.readableBytes,
        let slice = input.getSlice(at: input.readerIndex + offset, length: count)
      {
        self.events.append(.data(streamID: streamID, slice))
        return
      }
    }
    var copy = self.allocator.buffer(capacity: count)
    copy.writeBytes(UnsafeRawBufferPointer(start: data, count: count))
    self.events.append(.data(streamID: streamID, copy))
  }

  fileprivate func onStreamClose(streamID: Int32, errorCode: UInt32) {
    if self.headerBlock?.streamID == streamID { self.headerBlock = nil }
    self.outbound[streamID] = nil
    self.events.append(.streamClosed(streamID: streamID, errorCode: errorCode))
  }

  /// nghttp2 pulls a body through this; at its end it queues the trailers, as the data provider
  /// contract allows from inside the callback.
  fileprivate func readBody(streamID: Int32, into destination: UnsafeMutablePointer<UInt8>, capacity: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
    guard var pending = self.outbound[streamID] else {
      flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
      return 0
    }
    let count = min(capacity, pending.body.readableBytes)
    pending.body.readWithUnsafeReadableBytes { bytes in
      UnsafeMutableRawPointer(destination).copyMemory(from: bytes.baseAddress!, byteCount: count)
      return count
    }
    if pending.body.readableBytes > 0 {
      self.outbound[streamID] = pending
      return count
    }
    self.outbound[streamID] = nil
    flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
    if let trailers = pending.trailers {
      flags.pointee |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
      do throws(NGHTTP2Error) {
        try Self.withNameValues(trailers) { (nva, count) throws(NGHTTP2Error) in
          try nghttp2Check(nghttp2_submit_trailer(self.session, streamID, nva, count), "nghttp2_submit_trailer")
        }
      } catch {
        return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
      }
    }
    return count
  }
}

/// The C callbacks: each recovers the session from `user_data` and records what happened.
private final class Callbacks: @unchecked Sendable {
  // @unchecked: the callbacks table is written once, here, and only read afterwards.
  static let shared = Callbacks()

  let pointer: OpaquePointer

  private init() {
    var callbacks: OpaquePointer?
    guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else {
      fatalError("nghttp2_session_callbacks_new: out of memory")
    }
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
      guard let frame, let userData else { return 0 }
      Callbacks.session(userData).onBeginHeaders(streamID: frame.pointee.hd.stream_id)
      return 0
    }
    nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
      guard let frame, let userData else { return 0 }
      return Callbacks.session(userData).onHeader(
        streamID: frame.pointee.hd.stream_id,
        name: UnsafeBufferPointer(start: name, count: nameLength),
        value: UnsafeBufferPointer(start: value, count: valueLength)
      )
    }
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
      guard let frame, let userData else { return 0 }
      Callbacks.session(userData).onFrameReceived(frame)
      return 0
    }
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, count, userData in
      guard let data, let userData else { return 0 }
      Callbacks.session(userData).onDataChunk(streamID: streamID, data: data, count: count)
      return 0
    }
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
      guard let userData else { return 0 }
      Callbacks.session(userData).onStreamClose(streamID: streamID, errorCode: errorCode)
      return 0
    }
    self.pointer = callbacks
  }

  static let readBody: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, userData in
    guard let buffer, let flags, let userData else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    return Callbacks.session(userData).readBody(streamID: streamID, into: buffer, capacity: length, flags: flags)
  }

  @inline(__always)
  static func session(_ userData: UnsafeMutableRawPointer) -> NGHTTP2Session {
    Unmanaged<NGHTTP2Session>.fromOpaque(userData).takeUnretainedValue()
  }
}

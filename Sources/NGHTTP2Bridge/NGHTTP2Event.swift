public import NIOCore

/// One header field: a lowercase name and a value, both as received or to be sent.
public struct HTTP2Header: Sendable, Hashable {
  public var name: String
  public var value: String

  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}

/// What happened during one `receive`, in order. nghttp2's callbacks only record these; the
/// transport acts on them after `nghttp2_session_mem_recv` has returned, so no Swift logic runs
/// re-entrantly inside the C library.
public enum NGHTTP2Event: Sendable {
  /// A complete header block: request or response headers, or trailers.
  case headers(streamID: Int32, headers: [HTTP2Header], endStream: Bool)
  /// A chunk of a DATA frame's payload.
  case data(streamID: Int32, ByteBuffer)
  /// The peer ended its side of the stream with a DATA frame.
  case endStream(streamID: Int32)
  /// The stream is closed, normally (error code 0) or by RST_STREAM.
  case streamClosed(streamID: Int32, errorCode: UInt32)
  /// A stream's header block exceeded the configured limit; the stream was reset.
  case headerListTooLarge(streamID: Int32)
  /// The peer sent GOAWAY: streams above `lastStreamID` were not and will not be processed.
  case goAway(lastStreamID: Int32, errorCode: UInt32)
  /// The peer's SETTINGS changed (for example its maximum of concurrent streams).
  case settingsChanged
  /// The peer acknowledged a PING.
  case pingAcknowledged(opaque: UInt64)
}

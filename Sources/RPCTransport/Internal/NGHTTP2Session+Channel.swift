internal import NGHTTP2Bridge
internal import NIOCore

extension NGHTTP2Session {
  /// Writes everything the session has to send in one write to the channel, then resets
  /// `streamsToReset` (only after their response frames are in that write: queued together,
  /// nghttp2 may send a reset ahead of the frames it was meant to follow).
  func writePending(to context: ChannelHandlerContext, resetting streamsToReset: [Int32] = []) throws(NGHTTP2Error) {
    guard context.channel.isActive else { return }
    var buffer = context.channel.allocator.buffer(capacity: 256)
    try self.flush(into: &buffer)
    if !streamsToReset.isEmpty {
      for streamID in streamsToReset { self.resetStream(streamID, errorCode: HTTP2ErrorCode.noError) }
      try self.flush(into: &buffer)
    }
    if buffer.readableBytes > 0 {
      context.writeAndFlush(NIOAny(buffer), promise: nil)
    }
  }
}

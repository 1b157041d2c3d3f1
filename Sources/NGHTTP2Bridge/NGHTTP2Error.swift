internal import CNGHTTP2

/// A failure reported by nghttp2, with its library error code and text.
public struct NGHTTP2Error: Error, Sendable, Hashable, CustomStringConvertible {
  /// The negative `nghttp2_error` code.
  public let code: Int32
  /// `nghttp2_strerror` of the code, and what was being done.
  public let message: String
  /// Whether the session is unusable after it (`nghttp2_is_fatal`).
  public let isFatal: Bool

  init(code: Int32, operation: String) {
    self.code = code
    self.message = "\(operation): \(String(cString: nghttp2_strerror(code)))"
    self.isFatal = nghttp2_is_fatal(code) != 0
  }

  public var description: String { "nghttp2 error \(self.code) (\(self.message))" }
}

/// The one funnel every nghttp2 return code passes through.
@inline(__always)
@discardableResult
func nghttp2Check<T: BinaryInteger>(_ result: T, _ operation: @autoclosure () -> String) throws(NGHTTP2Error) -> T {
  if result < 0 {
    throw NGHTTP2Error(code: Int32(truncatingIfNeeded: result), operation: operation())
  }
  return result
}

/// HTTP/2 error codes (RFC 9113 section 7) used in RST_STREAM and GOAWAY.
public enum HTTP2ErrorCode {
  public static let noError: UInt32 = 0x0
  public static let protocolError: UInt32 = 0x1
  public static let internalError: UInt32 = 0x2
  public static let flowControlError: UInt32 = 0x3
  public static let streamClosed: UInt32 = 0x5
  public static let refusedStream: UInt32 = 0x7
  public static let cancel: UInt32 = 0x8
  public static let enhanceYourCalm: UInt32 = 0xB
}

internal import NGHTTP2Bridge
internal import NIOCore
internal import RPCCore

/// The parts of grpc/grpc `doc/PROTOCOL-HTTP2.md` both ends share: headers, status, framing.
enum GRPCWire {
  static let contentType = "application/grpc"

  /// Whether a content-type is gRPC's: `application/grpc`, optionally `+proto` or `;params`.
  static func isGRPCContentType(_ value: String) -> Bool {
    guard value.hasPrefix(Self.contentType) else { return false }
    let rest = value.dropFirst(Self.contentType.count)
    return rest.isEmpty || rest.first == "+" || rest.first == ";"
  }

  // MARK: Metadata

  /// Appends metadata as header fields: text values as they are, `-bin` values base64. Keys the
  /// protocol reserves and values that are not valid are left out rather than corrupting the
  /// stream.
  static func appendMetadata(_ metadata: Metadata, to headers: inout [HTTP2Header]) {
    for entry in metadata where Metadata.isValidKey(entry.key) && !Metadata.isReservedKey(entry.key) {
      switch entry.value {
      case .string(let value):
        if !Metadata.isBinaryKey(entry.key) && Metadata.isValidTextValue(value) {
          headers.append(HTTP2Header(entry.key, value))
        }
      case .binary(let value):
        if Metadata.isBinaryKey(entry.key) {
          headers.append(HTTP2Header(entry.key, Base64.encode(value)))
        }
      }
    }
  }

  /// The user metadata among received header fields: pseudo-headers and reserved keys dropped,
  /// `-bin` values decoded (a value that is not base64 is dropped).
  static func metadata(from headers: [HTTP2Header]) -> Metadata {
    var metadata = Metadata()
    for header in headers where !Metadata.isReservedKey(header.name) {
      if Metadata.isBinaryKey(header.name) {
        // A comma-joined list of values is allowed for -bin keys.
        for part in header.value.split(separator: ",", omittingEmptySubsequences: false) {
          if let bytes = Base64.decode(part.trimmingSpaces()) {
            metadata.addBinary(bytes, forKey: header.name)
          }
        }
      } else {
        metadata.addString(header.value, forKey: header.name)
      }
    }
    return metadata
  }

  // MARK: Status

  /// The trailer fields of a status.
  static func appendStatus(_ status: Status, to headers: inout [HTTP2Header]) {
    headers.append(HTTP2Header("grpc-status", String(status.code.rawValue)))
    if !status.message.isEmpty {
      headers.append(HTTP2Header("grpc-message", Self.percentEncode(status.message)))
    }
  }

  /// `grpc-message` encoding: UTF-8, with bytes outside printable ASCII and `%` as `%XX`.
  static func percentEncode(_ message: String) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(message.utf8.count)
    let hex = Array("0123456789ABCDEF".utf8)
    for byte in message.utf8 {
      if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
        output.append(byte)
      } else {
        output.append(UInt8(ascii: "%"))
        output.append(hex[Int(byte >> 4)])
        output.append(hex[Int(byte & 0x0F)])
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// Decodes `grpc-message`; a malformed escape is kept as it is, as the spec asks.
  static func percentDecode(_ value: String) -> String {
    let utf8 = Array(value.utf8)
    var output: [UInt8] = []
    output.reserveCapacity(utf8.count)
    var index = 0
    while index < utf8.count {
      if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
        let high = Self.hexValue(utf8[index + 1]), let low = Self.hexValue(utf8[index + 2])
      {
        output.append(high << 4 | low)
        index += 3
      } else {
        output.append(utf8[index])
        index += 1
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  /// The gRPC code for an HTTP status when a response carries no `grpc-status`
  /// (grpc/grpc `doc/http-grpc-status-mapping.md`).
  static func code(forHTTPStatus status: Int) -> Status.Code {
    switch status {
    case 400: .internal
    case 401: .unauthenticated
    case 403: .permissionDenied
    case 404: .unimplemented
    case 429, 502, 503, 504: .unavailable
    default: .unknown
    }
  }

  // MARK: Framing

  /// Writes a length-prefixed message: the compression flag (0), the length, the bytes.
  static func frame(_ message: any RPCMessage, allocator: ByteBufferAllocator) throws -> ByteBuffer {
    var buffer = allocator.buffer(capacity: 64)
    buffer.writeInteger(UInt8(0))
    let lengthIndex = buffer.writerIndex
    buffer.writeInteger(UInt32(0))
    try message.serialize(into: &buffer)
    let length = buffer.writerIndex - lengthIndex - 4
    guard length <= Int(UInt32.max) else {
      throw RPCError(code: .resourceExhausted, message: "The message is \(length) bytes, over the 4 GiB gRPC frame limit.")
    }
    buffer.setInteger(UInt32(length), at: lengthIndex)
    return buffer
  }
}

extension Substring {
  fileprivate func trimmingSpaces() -> Substring {
    var result = self
    while result.first == " " { result.removeFirst() }
    while result.last == " " { result.removeLast() }
    return result
  }
}

/// Reassembles length-prefixed messages from DATA chunks, enforcing the size limit from the
/// 5-byte prefix before any of the message is buffered.
struct MessageDeframer {
  enum Failure: Error, Equatable {
    /// The prefix declares more than the limit.
    case tooLarge(declared: Int, limit: Int)
    /// The compressed flag is set, which needs a `grpc-encoding` this end does not support.
    case compressed
    /// The stream ended inside a message.
    case truncated(missing: Int)
  }

  private let limit: Int
  private var buffer: ByteBuffer?

  init(limit: Int) {
    self.limit = limit
  }

  /// Adds a chunk and returns the messages it completes.
  mutating func append(_ chunk: ByteBuffer) throws(Failure) -> [ByteBuffer] {
    if self.buffer == nil || self.buffer!.readableBytes == 0 {
      self.buffer = chunk
    } else {
      var chunk = chunk
      self.buffer!.writeBuffer(&chunk)
    }
    var messages: [ByteBuffer] = []
    while let buffer = self.buffer, buffer.readableBytes >= 5 {
      let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)!
      let length = Int(buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)!)
      if flag != 0 { throw .compressed }
      if length > self.limit { throw .tooLarge(declared: length, limit: self.limit) }
      guard buffer.readableBytes >= 5 + length else { break }
      messages.append(buffer.getSlice(at: buffer.readerIndex + 5, length: length)!)
      self.buffer!.moveReaderIndex(forwardBy: 5 + length)
    }
    return messages
  }

  /// Checks that the stream did not end inside a message.
  func finish() throws(Failure) {
    if let buffer = self.buffer, buffer.readableBytes > 0 {
      let missing: Int
      if buffer.readableBytes >= 5 {
        missing = 5 + Int(buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)!) - buffer.readableBytes
      } else {
        missing = 5 - buffer.readableBytes
      }
      throw .truncated(missing: missing)
    }
  }
}

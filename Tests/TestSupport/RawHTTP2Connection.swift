import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A hand-driven HTTP/2 connection over a blocking socket, for tests that must send what no
/// well-behaved client would: garbage, endless streams, odd headers.
public final class RawHTTP2Connection: @unchecked Sendable {
  // @unchecked: one test drives a connection at a time; the blocking socket calls run on
  // threads of their own (`offload`) so that they never hold Swift concurrency's cooperative threads.
  public struct Frame: Sendable {
    public let type: UInt8
    public let flags: UInt8
    public let streamID: UInt32
    public let payload: [UInt8]
  }

  public static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

  private let socket: Int32
  private var received: [UInt8] = []

  /// Connects to `127.0.0.1:port`; reads time out after `timeout`.
  public init(port: Int, timeout: Duration = .seconds(5)) throws {
    let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    let result = withLoopbackAddress(port: port) { connect(fd, $0, $1) }
    guard result == 0 else {
      Glibc.close(fd)
      throw POSIXError(.init(rawValue: errno) ?? .ECONNREFUSED)
    }
    var time = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    self.socket = fd
  }

  deinit {
    self.close()
  }

  /// Closes the connection (again is harmless).
  public func close() {
    if self.isOpen {
      self.isOpen = false
      Glibc.close(self.socket)
    }
  }

  private var isOpen = true

  /// Sends raw bytes.
  public func send(_ bytes: [UInt8]) async throws {
    try await offload { try self.sendBlocking(bytes) }
  }

  public func sendBlocking(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes { Glibc.send(self.socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      guard sent > 0 else { throw POSIXError(.init(rawValue: errno) ?? .EPIPE) }
      offset += sent
    }
  }

  /// Sends the client preface and an empty SETTINGS frame, and `frames` in the same write.
  public func sendPreface(followedBy frames: [UInt8] = []) async throws {
    try await self.send(Self.preface + Self.frame(type: 4, flags: 0, streamID: 0, payload: []) + frames)
  }

  /// Sends a HEADERS frame with literal (unindexed, not Huffman-coded) header fields.
  public func sendHeaders(streamID: UInt32, _ headers: [(String, String)], endStream: Bool) async throws {
    try await self.send(Self.headersFrame(streamID: streamID, headers, endStream: endStream))
  }

  /// Sends a whole request, HEADERS and then DATA ending the stream, in one write: a test that
  /// times the call from its headers needs its body not to lag behind them on a loaded machine.
  public func sendRequest(streamID: UInt32, _ headers: [(String, String)], body: [UInt8]) async throws {
    try await self.send(Self.request(streamID: streamID, headers, body: body))
  }

  /// The frames of a whole request: HEADERS, then DATA ending the stream.
  public static func request(streamID: UInt32, _ headers: [(String, String)], body: [UInt8]) -> [UInt8] {
    Self.headersFrame(streamID: streamID, headers, endStream: false) + Self.frame(type: 0, flags: 0x1, streamID: streamID, payload: body)
  }

  private static func headersFrame(streamID: UInt32, _ headers: [(String, String)], endStream: Bool) -> [UInt8] {
    var block: [UInt8] = []
    for (name, value) in headers {
      block.append(0x00)
      block += Self.hpackLength(name.utf8.count) + Array(name.utf8)
      block += Self.hpackLength(value.utf8.count) + Array(value.utf8)
    }
    return Self.frame(type: 1, flags: 0x4 | (endStream ? 0x1 : 0), streamID: streamID, payload: block)
  }

  /// Sends a DATA frame.
  public func sendData(streamID: UInt32, _ data: [UInt8], endStream: Bool) async throws {
    try await self.send(Self.frame(type: 0, flags: endStream ? 0x1 : 0, streamID: streamID, payload: data))
  }

  /// The gRPC request headers for `path`.
  public static func grpcHeaders(path: String, contentType: String = "application/grpc", extra: [(String, String)] = []) -> [(String, String)] {
    [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"), ("content-type", contentType), ("te", "trailers")] + extra
  }

  /// Reads what has arrived, waiting up to the read timeout; nil on timeout, [] when closed.
  public func receiveChunk() async -> [UInt8]? {
    (try? await offload { self.receiveChunkBlocking() }) ?? nil
  }

  public func receiveChunkBlocking() -> [UInt8]? {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let count = chunk.withUnsafeMutableBytes { recv(self.socket, $0.baseAddress, $0.count, 0) }
    if count == 0 { return [] }
    if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? nil : [] }
    return Array(chunk[..<count])
  }

  /// Reads frames until `stop` returns true for one, the connection closes, or a read times out.
  /// - Returns: The frames read, and whether the connection was closed by the server.
  public func readFrames(until stop: @escaping @Sendable (Frame) -> Bool) async -> (frames: [Frame], closed: Bool) {
    await self.readFrames(untilAccumulated: { frames in frames.last.map(stop) ?? false })
  }

  /// Reads frames until `stop` returns true for the frames read so far, the connection closes,
  /// or a read times out.
  public func readFrames(untilAccumulated stop: @escaping @Sendable ([Frame]) -> Bool) async -> (frames: [Frame], closed: Bool) {
    (try? await offload { self.readFramesBlocking(until: stop) }) ?? ([], false)
  }

  private func readFramesBlocking(until stop: ([Frame]) -> Bool) -> (frames: [Frame], closed: Bool) {
    var frames: [Frame] = []
    while true {
      while self.received.count >= 9 {
        let length = Int(self.received[0]) << 16 | Int(self.received[1]) << 8 | Int(self.received[2])
        guard self.received.count >= 9 + length else { break }
        let streamID = (UInt32(self.received[5]) << 24 | UInt32(self.received[6]) << 16 | UInt32(self.received[7]) << 8 | UInt32(self.received[8])) & 0x7FFF_FFFF
        let frame = Frame(type: self.received[3], flags: self.received[4], streamID: streamID, payload: Array(self.received[9..<(9 + length)]))
        self.received.removeFirst(9 + length)
        frames.append(frame)
        if stop(frames) { return (frames, false) }
      }
      var chunk = [UInt8](repeating: 0, count: 65536)
      let count = chunk.withUnsafeMutableBytes { recv(self.socket, $0.baseAddress, $0.count, 0) }
      if count == 0 { return (frames, true) }
      if count < 0 { return (frames, errno == ECONNRESET) }
      self.received += chunk[..<count]
    }
  }

  public static func frame(type: UInt8, flags: UInt8, streamID: UInt32, payload: [UInt8]) -> [UInt8] {
    let length = payload.count
    return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
      + [UInt8(streamID >> 24 & 0x7F), UInt8(streamID >> 16 & 0xFF), UInt8(streamID >> 8 & 0xFF), UInt8(streamID & 0xFF)]
      + payload
  }

  private static func hpackLength(_ length: Int) -> [UInt8] {
    // 7-bit prefix integer, Huffman bit clear.
    if length < 127 { return [UInt8(length)] }
    var bytes: [UInt8] = [127]
    var rest = length - 127
    while rest >= 128 {
      bytes.append(UInt8(rest & 0x7F) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
    return bytes
  }

  /// Decodes the literal header fields of a HEADERS frame this server sends, as far as a test
  /// needs: nghttp2 indexes and Huffman-codes, so this asks the `nghttp` tool instead when exact
  /// headers matter. Here only the frame types are inspected.
  public static func isRST(_ frame: Frame, errorCode: UInt32? = nil) -> Bool {
    guard frame.type == 3, frame.payload.count == 4 else { return false }
    let code = UInt32(frame.payload[0]) << 24 | UInt32(frame.payload[1]) << 16 | UInt32(frame.payload[2]) << 8 | UInt32(frame.payload[3])
    return errorCode.map { $0 == code } ?? true
  }
}

/// Calls `body` with the socket address of `127.0.0.1:port` and its length, for `bind` or
/// `connect`.
func withLoopbackAddress<Result>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = in_port_t(UInt16(port).bigEndian)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  return withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
  }
}

/// Runs blocking work on a thread of its own, so that it holds neither one of the few threads of
/// Swift concurrency's cooperative pool nor one of Dispatch's: on Linux the global queue runs
/// about one work item per core, and with two cores a few tests blocked in `recv` would queue
/// every other test's socket call behind them for as long as their reads wait.
public func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    let thread = Thread {
      continuation.resume(with: Result { try body() })
    }
    thread.start()
  }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a blocking socket, for tests that must control every byte:
/// oversized heads, chunked bodies, slow clients.
public enum HTTP1Client {
  public struct Response: Sendable {
    public let status: Int
    /// Header fields, names lowercased.
    public let headers: [String: String]
    public let body: [UInt8]

    public var text: String { String(decoding: self.body, as: UTF8.self) }
  }

  public struct Failure: Error, CustomStringConvertible {
    public let description: String
  }

  /// Sends one request and reads one response.
  public static func send(
    port: Int,
    method: String,
    path: String,
    headers: [(String, String)] = [],
    body: [UInt8]? = nil,
    timeout: Duration = .seconds(10)
  ) async throws -> Response {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    if let body, !headers.contains(where: { $0.0.lowercased() == "transfer-encoding" }) {
      head += "Content-Length: \(body.count)\r\n"
    }
    head += "Connection: close\r\n\r\n"
    return try await Self.exchange(port: port, Array(head.utf8) + (body ?? []), timeout: timeout)
  }

  /// Sends raw bytes and reads one response.
  public static func exchange(port: Int, _ bytes: [UInt8], timeout: Duration = .seconds(10)) async throws -> Response {
    try await offload {
      let connection = try RawHTTP2Connection(port: port, timeout: timeout)
      try connection.sendBlocking(bytes)
      return try Self.readResponse(connection)
    }
  }

  /// Sends raw bytes and reads `count` responses from the same connection, in order.
  public static func exchange(port: Int, _ bytes: [UInt8], responses count: Int, timeout: Duration = .seconds(10)) async throws -> [Response] {
    try await offload {
      let connection = try RawHTTP2Connection(port: port, timeout: timeout)
      defer { connection.close() }
      try connection.sendBlocking(bytes)
      var buffer: [UInt8] = []
      return try (0..<count).map { _ in try Self.readResponse(connection, buffer: &buffer) }
    }
  }

  /// Reads one response from a connection.
  public static func readResponse(_ connection: RawHTTP2Connection) throws -> Response {
    var buffer: [UInt8] = []
    return try Self.readResponse(connection, buffer: &buffer)
  }

  /// Reads one response, starting with bytes already received in `buffer`; leaves in it the
  /// bytes that follow the response.
  public static func readResponse(_ connection: RawHTTP2Connection, buffer: inout [UInt8]) throws -> Response {
    while true {
      if let end = Self.headEnd(buffer) {
        let head = String(decoding: buffer[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line: \(head)") }
        var headers: [String: String] = [:]
        for line in lines {
          guard let colon = line.firstIndex(of: ":") else { continue }
          headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < end + 4 + length {
          guard let chunk = connection.receiveChunkBlocking(), !chunk.isEmpty else { break }
          buffer += chunk
        }
        let bodyEnd = min(buffer.count, end + 4 + length)
        let response = Response(status: status, headers: headers, body: Array(buffer[(end + 4)..<bodyEnd]))
        buffer.removeFirst(bodyEnd)
        return response
      }
      guard let chunk = connection.receiveChunkBlocking(), !chunk.isEmpty else {
        throw Failure(description: "connection closed before a response (\(buffer.count) bytes read)")
      }
      buffer += chunk
    }
  }

  private static func headEnd(_ buffer: [UInt8]) -> Int? {
    guard buffer.count >= 4 else { return nil }
    for index in 0...(buffer.count - 4) where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
      return index
    }
    return nil
  }
}

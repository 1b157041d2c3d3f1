import BenchV1
import Foundation
import RPCCore
import RPCTransport
import TestSupport
import Testing

/// A misbehaving peer breaks at most its own connection; each test then checks that the server
/// still serves a well-behaved client.
@Suite("Bad peers and protocol errors")
struct BadPeerTests {
  private func assertStillServes(_ server: TestServer) async throws {
    let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
    #expect(try await client.echo(EchoRequest(payload: [42]), options: CallOptions(timeout: .seconds(5))).payload == [42])
  }

  /// Runs `nghttp` (Debian nghttp2-client) against the server and returns its verbose output.
  private func nghttp(_ server: TestServer, path: String, headers: [String], body: [UInt8]) async throws -> String {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("body-\(UUID().uuidString)")
    try Data(body).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    var arguments = ["-v", "-n", "-d", file.path]
    for header in headers { arguments += ["-H", header] }
    arguments.append("http://127.0.0.1:\(server.port)\(path)")
    let output = try await Subprocess.run(URL(fileURLWithPath: "/usr/bin/nghttp"), arguments, timeout: .seconds(20))
    return output.stdout + output.stderr
  }

  @Test("A content-type that is not gRPC answers HTTP 415")
  func wrongContentType() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      let output = try await self.nghttp(server, path: "/bench.v1.Echo/Echo", headers: ["content-type: text/plain"], body: [0, 0, 0, 0, 0])
      #expect(output.contains(":status: 415"), "\(output)")
      try await self.assertStillServes(server)
    }
  }

  @Test("The compressed flag without grpc-encoding answers INTERNAL")
  func compressedWithoutEncoding() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      let output = try await self.nghttp(
        server,
        path: "/bench.v1.Echo/Echo",
        headers: ["content-type: application/grpc", "te: trailers"],
        body: [1, 0, 0, 0, 0]
      )
      #expect(output.contains("grpc-status: 13"), "\(output)")
      #expect(output.contains("grpc-encoding"), "\(output)")
      try await self.assertStillServes(server)
    }
  }

  @Test("An unsupported grpc-encoding answers UNIMPLEMENTED with grpc-accept-encoding")
  func unsupportedEncoding() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      let output = try await self.nghttp(
        server,
        path: "/bench.v1.Echo/Echo",
        headers: ["content-type: application/grpc", "grpc-encoding: gzip"],
        body: [0, 0, 0, 0, 0]
      )
      #expect(output.contains("grpc-status: 12"), "\(output)")
      #expect(output.contains("grpc-accept-encoding: identity"), "\(output)")
      try await self.assertStillServes(server)
    }
  }

  @Test("A malformed grpc-timeout is an error, not a crash")
  func malformedTimeout() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      for value in ["abc", "123456789S", "10x", "-5m", "5"] {
        let output = try await self.nghttp(
          server,
          path: "/bench.v1.Echo/Echo",
          headers: ["content-type: application/grpc", "grpc-timeout: \(value)"],
          body: [0, 0, 0, 0, 0]
        )
        #expect(output.contains("grpc-status: 13"), "grpc-timeout '\(value)': \(output)")
      }
      try await self.assertStillServes(server)
    }
  }

  @Test("A request body that ends inside a message answers INTERNAL")
  func truncatedFrame() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      let output = try await self.nghttp(
        server,
        path: "/bench.v1.Echo/Echo",
        headers: ["content-type: application/grpc"],
        body: [0, 0, 0, 0, 10, 1, 2]
      )
      #expect(output.contains("grpc-status: 13"), "\(output)")
      try await self.assertStillServes(server)
    }
  }

  @Test("A method other than POST answers HTTP 405")
  func wrongMethod() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      let connection = try RawHTTP2Connection(port: server.port)
      try await connection.sendPreface()
      try await connection.sendHeaders(
        streamID: 1,
        [(":method", "GET"), (":scheme", "http"), (":path", "/bench.v1.Echo/Echo"), (":authority", "x"), ("content-type", "application/grpc")],
        endStream: true
      )
      let (frames, _) = await connection.readFrames { $0.type == 1 && $0.streamID == 1 }
      #expect(frames.contains { $0.type == 1 && $0.streamID == 1 })
      try await self.assertStillServes(server)
    }
  }

  @Test("Garbage instead of HTTP/2 closes that connection only")
  func garbage() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      let connection = try RawHTTP2Connection(port: server.port)
      try await connection.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
      let (_, closed) = await connection.readFrames(until: { _ in false })
      #expect(closed)
      // Garbage after a valid preface: an invalid frame type/length.
      let second = try RawHTTP2Connection(port: server.port)
      try await second.sendPreface()
      try await second.send(RawHTTP2Connection.frame(type: 4, flags: 0, streamID: 7, payload: [1, 2, 3]))
      let (frames, closedAfterGoAway) = await second.readFrames(until: { _ in false })
      #expect(frames.contains { $0.type == 7 }, "expected GOAWAY")
      #expect(closedAfterGoAway)
      try await self.assertStillServes(server)
    }
  }

  @Test("Streams past SETTINGS_MAX_CONCURRENT_STREAMS are refused; ignoring the limit ends the connection")
  func tooManyStreams() async throws {
    try await withTestServer(services: [ProbeService()], configure: { $0.maxConcurrentStreams = 10 }) { server in
      // Before the client acknowledges the limit, nghttp2 refuses the extra streams one by one.
      let polite = try RawHTTP2Connection(port: server.port)
      try await polite.sendPreface()
      for index in 0..<50 {
        try await polite.sendHeaders(streamID: UInt32(2 * index + 1), RawHTTP2Connection.grpcHeaders(path: "/bench.v1.Echo/Echo"), endStream: false)
      }
      let (politeFrames, _) = await polite.readFrames(untilAccumulated: { frames in
        Set(frames.filter { RawHTTP2Connection.isRST($0, errorCode: 7) }.map(\.streamID)).count == 40
      })
      let refused = Set(politeFrames.filter { RawHTTP2Connection.isRST($0, errorCode: 7) }.map(\.streamID))
      #expect(refused.count == 40)
      #expect(!refused.contains(1))

      // After acknowledging it, exceeding it is a protocol violation: GOAWAY, connection closed.
      let rude = try RawHTTP2Connection(port: server.port)
      try await rude.sendPreface()
      _ = await rude.readFrames { $0.type == 4 && $0.flags & 0x1 == 0 }
      try await rude.send(RawHTTP2Connection.frame(type: 4, flags: 0x1, streamID: 0, payload: []))
      for index in 0..<50 {
        try? await rude.sendHeaders(streamID: UInt32(2 * index + 1), RawHTTP2Connection.grpcHeaders(path: "/bench.v1.Echo/Echo"), endStream: false)
      }
      let (frames, closed) = await rude.readFrames(until: { _ in false })
      #expect(frames.contains { $0.type == 7 }, "expected GOAWAY")
      #expect(closed)
      try await self.assertStillServes(server)
    }
  }

  @Test("Oversized request headers reset that stream only")
  func oversizedHeaders() async throws {
    try await withTestServer(services: [ProbeService()], configure: { $0.maxHeaderListBytes = 4096 }) { server in
      let connection = try RawHTTP2Connection(port: server.port)
      try await connection.sendPreface()
      try await connection.sendHeaders(
        streamID: 1,
        RawHTTP2Connection.grpcHeaders(path: "/bench.v1.Echo/Echo", extra: [("x-big", String(repeating: "a", count: 8000))]),
        endStream: true
      )
      let (frames, _) = await connection.readFrames { $0.streamID == 1 && ($0.type == 3 || $0.type == 1) }
      #expect(frames.contains { $0.streamID == 1 && $0.type == 3 })
      try await self.assertStillServes(server)
    }
  }

  @Test("A client that never reads its responses does not stall other clients")
  func neverReads() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      let connection = try RawHTTP2Connection(port: server.port)
      try await connection.sendPreface()
      // 100 requests each asking for a 64 KiB echo, and never a byte read back.
      var payload: [UInt8] = [0x0A, 0x80, 0x80, 0x04]
      payload += [UInt8](repeating: 7, count: 65536)
      let frame: [UInt8] = [0, 0, 1, 0, UInt8(payload.count & 0xFF)]
      let body = [frame[0], UInt8(payload.count >> 24 & 0xFF), UInt8(payload.count >> 16 & 0xFF), UInt8(payload.count >> 8 & 0xFF), UInt8(payload.count & 0xFF)] + payload
      for index in 0..<100 {
        let streamID = UInt32(2 * index + 1)
        try? await connection.sendHeaders(streamID: streamID, RawHTTP2Connection.grpcHeaders(path: "/bench.v1.Echo/Echo"), endStream: false)
        // Flow control lets only the first 64 KiB of the connection through; the rest blocks
        // in our socket, which is the point.
        try? await connection.sendData(streamID: streamID, Array(body.prefix(16000)), endStream: false)
      }
      try await self.assertStillServes(server)
    }
  }
}

import BenchV1
import Foundation
import InteropService
import InteropTesting
import RPCCore
import RPCTransport
import TestSupport
import Testing

@Suite("Unary calls over loopback")
struct UnaryCallTests {
  @Test("A call round-trips its message and metadata both ways, binary values included")
  func roundTrip() async throws {
    let probe = ProbeService()
    try await withTestServer(services: [probe]) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      var metadata: Metadata = ["x-echo": "hello", "x-request-id": "r-1"]
      metadata.addBinary([0, 1, 2, 0xFF], forKey: "x-echo-bin")
      let response = try await client.echo(
        request: ClientRequest(message: EchoRequest(payload: Array("ping".utf8)), metadata: metadata)
      )
      #expect(response.message.payload == Array("ping".utf8))
      #expect(response.metadata.firstString(forKey: "x-echo") == "hello")
      #expect(response.trailingMetadata[binaryValues: "x-echo-bin"] == [[0, 1, 2, 0xFF]])
      let seen = try #require(probe.snapshot.metadata.first)
      #expect(seen.firstString(forKey: "x-request-id") == "r-1")
      #expect(seen[binaryValues: "x-echo-bin"] == [[0, 1, 2, 0xFF]])
      // Reserved keys never reach the handler as user metadata.
      #expect(!seen.contains(key: "content-type"))
      #expect(!seen.contains(key: "te"))
    }
  }

  @Test("Every status code and its message reach the client, with trailing metadata")
  func allStatusCodes() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      for code in Status.Code.allCases where code != .ok {
        let message = "code \(code.name): 100% \u{263A} \r\n done"
        do {
          _ = try await client.echo(
            EchoRequest(),
            metadata: ["x-fail-code": .string(String(code.rawValue)), "x-fail-message": .string(Self.ascii(message))]
          )
          Issue.record("\(code) did not fail")
        } catch let error as RPCError {
          #expect(error.code == code)
          #expect(error.message == Self.ascii(message))
          #expect(error.metadata.firstString(forKey: "x-detail") == "failed on purpose")
        }
      }
    }
  }

  /// Metadata values must be printable ASCII; status messages need not be.
  static func ascii(_ text: String) -> String {
    String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.map(Character.init))
  }

  @Test("Status messages with any Unicode and control characters survive percent-encoding")
  func specialStatusMessage() async throws {
    try await withTestServer(services: [InteropTestService()]) { server in
      let client = TestService.Client(wrapping: RPCClient(transport: server.transport()))
      let message = "\t\ntest with whitespace\r\nand Unicode BMP \u{263A} and non-BMP \u{1F608}\t\n 100%"
      do {
        _ = try await client.unaryCall(SimpleRequest(responseStatus: EchoStatus(code: 2, message: message)))
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .unknown)
        #expect(error.message == message)
      }
    }
  }

  @Test("One connection carries 1,000 concurrent calls, queueing past the stream limit")
  func concurrency() async throws {
    let probe = ProbeService()
    try await withTestServer(services: [probe], configure: { $0.maxConcurrentStreams = 16 }) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      try await withThrowingTaskGroup(of: Void.self) { group in
        for index in 0..<1000 {
          group.addTask {
            let payload = Array("call \(index)".utf8)
            let response = try await client.echo(EchoRequest(payload: payload), metadata: ["x-sleep-ms": "2"])
            #expect(response.payload == payload)
          }
        }
        try await group.waitForAll()
      }
      #expect(probe.snapshot.completed == 1000)
    }
  }

  @Test("Large messages up to the limit, in both directions")
  func largeMessages() async throws {
    try await withTestServer(services: [InteropTestService()]) { server in
      let client = TestService.Client(wrapping: RPCClient(transport: server.transport()))
      let response = try await client.unaryCall(
        SimpleRequest(responseSize: 3 << 20, payload: Payload(body: [UInt8](repeating: 7, count: 3 << 20)))
      )
      #expect(response.payload?.body.count == 3 << 20)
    }
  }

  @Test("Unknown methods and services answer UNIMPLEMENTED")
  func unimplemented() async throws {
    try await withTestServer(services: [InteropTestService()]) { server in
      let rpc = RPCClient(transport: server.transport())
      do {
        _ = try await UnimplementedService.Client(wrapping: rpc).unimplementedCall(Empty())
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .unimplemented)
        #expect(error.message.contains("grpc.testing.UnimplementedService/UnimplementedCall"))
      }
      do {
        _ = try await rpc.unary(
          request: ClientRequest(message: Empty()),
          descriptor: MethodDescriptor(service: "grpc.testing.TestService", method: "NoSuchMethod"),
          output: Empty.self
        )
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .unimplemented)
      }
    }
  }

  @Test("A request that does not decode answers INTERNAL, and the server still serves")
  func undecodableRequest() async throws {
    try await withTestServer(services: [ProbeService()]) { server in
      let rpc = RPCClient(transport: server.transport())
      do {
        // Field 1 (bytes) claiming 100 bytes that are not there.
        _ = try await rpc.unary(
          request: ClientRequest(message: RawBytesMessage(bytes: [0x0A, 0x64, 0x01])),
          descriptor: Echo.Method.Echo.descriptor,
          output: EchoResponse.self
        )
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .internal)
        #expect(error.message.contains("decode"))
      }
      let response = try await Echo.Client(wrapping: rpc).echo(EchoRequest(payload: [1]))
      #expect(response.payload == [1])
    }
  }

  @Test("A request over the receive limit answers RESOURCE_EXHAUSTED, and the server still serves")
  func receiveLimit() async throws {
    try await withTestServer(services: [ProbeService()], configure: { $0.maxReceiveMessageBytes = 1024 }) { server in
      let client = Echo.Client(wrapping: RPCClient(transport: server.transport()))
      do {
        _ = try await client.echo(EchoRequest(payload: [UInt8](repeating: 1, count: 100_000)))
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .resourceExhausted)
        #expect(error.message.contains("1024"))
      }
      #expect(try await client.echo(EchoRequest(payload: [2])).payload == [2])
    }
  }

  @Test("A response over the client's limit fails with RESOURCE_EXHAUSTED")
  func responseLimit() async throws {
    try await withTestServer(services: [InteropTestService()]) { server in
      let transport = server.transport { $0.maxResponseMessageBytes = 1000 }
      let client = TestService.Client(wrapping: RPCClient(transport: transport))
      do {
        _ = try await client.unaryCall(SimpleRequest(responseSize: 5000))
        Issue.record("the call succeeded")
      } catch let error as RPCError {
        #expect(error.code == .resourceExhausted)
      }
      #expect(try await client.unaryCall(SimpleRequest(responseSize: 10)).payload?.body.count == 10)
    }
  }
}

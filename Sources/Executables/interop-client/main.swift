import ArgumentParser
import HealthV1
import InteropTesting
import RPCCore
import RPCTransport


/// The gRPC interop test client, with the official flag names. Runs one case (or `all`) against a
/// TestService server and exits non-zero if any fails.
@main
struct InteropClient: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interop-client",
    abstract: "Runs gRPC interop test cases against a grpc.testing.TestService server."
  )

  @Option(name: .customLong("server_host"), help: "The server's host.")
  var serverHost: String = "127.0.0.1"

  @Option(name: .customLong("server_port"), help: "The server's port.")
  var serverPort: Int = 10000

  @Option(name: .customLong("test_case"), help: "A case, a comma-separated list, or all: \(InteropCase.allCases.map(\.rawValue).joined(separator: ", ")).")
  var testCase: String = "all"

  @Option(name: .customLong("use_tls"), help: "TLS is not supported; only false is accepted.")
  var useTLS: Bool = false

  func validate() throws {
    guard !self.useTLS else { throw ValidationError("--use_tls=true is not supported") }
    for name in self.testCase.split(separator: ",") where name != "all" {
      guard InteropCase(rawValue: String(name)) != nil else {
        throw ValidationError("unknown test case '\(name)'")
      }
    }
  }

  func run() async throws {
    let cases: [InteropCase] =
      self.testCase == "all" ? InteropCase.allCases : self.testCase.split(separator: ",").compactMap { InteropCase(rawValue: String($0)) }
    let transport = HTTP2ClientTransport(host: self.serverHost, port: self.serverPort)
    defer { transport.close() }
    let client = RPCClient(transport: transport)
    var failed: [String] = []
    for testCase in cases {
      do {
        try await testCase.run(client: client)
        print("PASS \(testCase.rawValue)")
      } catch {
        print("FAIL \(testCase.rawValue): \(error)")
        failed.append(testCase.rawValue)
      }
    }
    if !failed.isEmpty {
      throw ExitCode(1)
    }
  }
}

struct CaseFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

enum InteropCase: String, CaseIterable {
  case emptyUnary = "empty_unary"
  case largeUnary = "large_unary"
  case customMetadata = "custom_metadata"
  case statusCodeAndMessage = "status_code_and_message"
  case specialStatusMessage = "special_status_message"
  case unimplementedMethod = "unimplemented_method"
  case unimplementedService = "unimplemented_service"
  case deadlineExceeded = "deadline_exceeded"
  case healthCheck = "health_check"

  static let timeout = CallOptions(timeout: .seconds(10))

  func run(client: RPCClient) async throws {
    let service = TestService.Client(wrapping: client)
    switch self {
    case .emptyUnary:
      let response = try await service.emptyCall(Empty(), options: Self.timeout)
      try expect(response == Empty(), "EmptyCall returned \(response)")

    case .largeUnary:
      let response = try await service.unaryCall(Self.largeRequest(), options: Self.timeout)
      try expect(response.payload?.body.count == 314_159, "payload of \(response.payload?.body.count ?? -1) bytes")
      try expect(response.payload?.body.allSatisfy { $0 == 0 } == true, "payload is not all zeros")
      try expect(response.payload?.type == .compressable, "payload type \(String(describing: response.payload?.type))")

    case .customMetadata:
      var metadata = Metadata()
      metadata.addString("test_initial_metadata_value", forKey: "x-grpc-test-echo-initial")
      metadata.addBinary([0xAB, 0xAB, 0xAB], forKey: "x-grpc-test-echo-trailing-bin")
      let response = try await service.unaryCall(
        request: ClientRequest(message: Self.largeRequest(), metadata: metadata),
        options: Self.timeout
      )
      try expect(response.message.payload?.body.count == 314_159, "payload of \(response.message.payload?.body.count ?? -1) bytes")
      try expect(
        response.metadata.firstString(forKey: "x-grpc-test-echo-initial") == "test_initial_metadata_value",
        "initial metadata \(response.metadata)"
      )
      try expect(
        response.trailingMetadata[binaryValues: "x-grpc-test-echo-trailing-bin"] == [[0xAB, 0xAB, 0xAB]],
        "trailing metadata \(response.trailingMetadata)"
      )

    case .statusCodeAndMessage:
      try await Self.expectStatus(service, code: 2, message: "test status message")

    case .specialStatusMessage:
      try await Self.expectStatus(
        service,
        code: 2,
        message: "\t\ntest with whitespace\r\nand Unicode BMP \u{263A} and non-BMP \u{1F608}\t\n"
      )

    case .unimplementedMethod:
      try await Self.expectError(.unimplemented) { try await service.unimplementedCall(Empty(), options: Self.timeout) }

    case .unimplementedService:
      let other = UnimplementedService.Client(wrapping: client)
      try await Self.expectError(.unimplemented) { try await other.unimplementedCall(Empty(), options: Self.timeout) }

    case .deadlineExceeded:
      let start = ContinuousClock.now
      try await Self.expectError(.deadlineExceeded) {
        try await service.unaryCall(
          request: ClientRequest(message: SimpleRequest(responseSize: 1), metadata: ["x-interop-sleep-ms": "500"]),
          options: CallOptions(timeout: .milliseconds(100))
        )
      }
      let elapsed = ContinuousClock.now - start
      try expect(elapsed < .seconds(2), "DEADLINE_EXCEEDED took \(elapsed)")
      // The connection still serves.
      _ = try await service.emptyCall(Empty(), options: Self.timeout)

    case .healthCheck:
      let health = Health.Client(wrapping: client)
      let response = try await health.check(HealthCheckRequest(service: ""), options: Self.timeout)
      try expect(response.status == .serving, "health status \(response.status)")
    }
  }

  static func largeRequest() -> SimpleRequest {
    SimpleRequest(
      responseType: .compressable,
      responseSize: 314_159,
      payload: Payload(type: .compressable, body: [UInt8](repeating: 0, count: 271_828))
    )
  }

  static func expectStatus(_ service: TestService.Client, code: Int32, message: String) async throws {
    do {
      _ = try await service.unaryCall(
        SimpleRequest(responseStatus: EchoStatus(code: code, message: message)),
        options: Self.timeout
      )
      throw CaseFailure("the call succeeded")
    } catch let error as RPCError {
      try expect(error.code.rawValue == Int(code), "status \(error.code)")
      try expect(error.message == message, "message \(error.message.debugDescription)")
    }
  }

  static func expectError<T>(_ code: Status.Code, _ body: () async throws -> T) async throws {
    do {
      _ = try await body()
    } catch let error as RPCError {
      try expect(error.code == code, "status \(error.code): \(error.message)")
      return
    }
    throw CaseFailure("the call succeeded")
  }
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
  if !condition { throw CaseFailure(message()) }
}

import Foundation
import TestSupport
import Testing

/// Interoperability with the reference implementation, Python grpcio from PyPI, in both
/// directions, with real processes on loopback.
@Suite("gRPC interop with grpcio", .serialized)
struct InteropTests {
  static let cases = [
    "empty_unary", "large_unary", "custom_metadata", "status_code_and_message", "special_status_message",
    "unimplemented_method", "unimplemented_service", "deadline_exceeded", "health_check",
  ]

  @Test("grpcio's client passes every case against our interop-server")
  func grpcioClientAgainstOurServer() async throws {
    let server = try await ServerProcess(ServerProcess.binary("interop-server"), ["--port", "0"])
    let output = try await Subprocess.run(
      Repository.python,
      [Repository.root.appendingPathComponent("Tests/Python/interop_client.py").path,
       "--server_host", "127.0.0.1", "--server_port", String(server.port), "--test_case", "all"]
    )
    for name in Self.cases {
      #expect(output.stdout.contains("PASS \(name)"), "\(name): \(output.stdout)\(output.stderr)")
    }
    #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    #expect(await server.stop() == 0)
  }

  @Test("Our interop-client passes every case against grpcio's server")
  func ourClientAgainstGrpcioServer() async throws {
    let server = try await ServerProcess(
      Repository.python,
      [Repository.root.appendingPathComponent("Tests/Python/interop_server.py").path, "--port", "0"],
      parsePort: ServerProcess.pythonListeningPort
    )
    for name in Self.cases {
      let output = try await Subprocess.run(
        ServerProcess.binary("interop-client"),
        ["--server_host", "127.0.0.1", "--server_port", String(server.port), "--test_case", name]
      )
      #expect(output.status == 0 && output.stdout.contains("PASS \(name)"), "\(name): \(output.stdout)\(output.stderr)")
    }
    await server.stop()
  }

  @Test("SIGTERM: the server stops accepting, finishes the call in flight, and exits 0")
  func gracefulStopOnSignal() async throws {
    let server = try await ServerProcess(ServerProcess.binary("interop-server"), ["--port", "0"])
    // A grpcio client call that the server sleeps on for 2.5 s. The script creates `sent` once
    // the call is on its way: Python and grpcio take from 0.3 s to well over a second to start
    // on a loaded machine, so a fixed wait could signal before there is a call to finish.
    let sent = FileManager.default.temporaryDirectory.appendingPathComponent("interop-sent-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: sent) }
    let slowCall = Task {
      try await Subprocess.run(
        Repository.python,
        ["-c", Self.slowCallScript, String(server.port), sent.path]
      )
    }
    let start = ContinuousClock.now
    while !FileManager.default.fileExists(atPath: sent.path), ContinuousClock.now - start < .seconds(30) {
      try await Task.sleep(for: .milliseconds(20))
    }
    // Time for the request to cross loopback and reach the handler, which then sleeps 2.5 s.
    try await Task.sleep(for: .milliseconds(500))
    let status = await server.stop(signal: SIGTERM)
    #expect(status == 0, "\(server.stderr)")
    let output = try await slowCall.value
    #expect(output.stdout.contains("OK 314"), "\(output.stdout)\(output.stderr)")
  }

  static let slowCallScript = """
    import sys
    sys.path.insert(0, "\(Repository.root.appendingPathComponent("Tests/Python").path)")
    import protos
    protos.ensure_generated()
    import grpc
    from grpc.testing import messages_pb2, test_pb2_grpc
    channel = grpc.insecure_channel(f"127.0.0.1:{sys.argv[1]}")
    stub = test_pb2_grpc.TestServiceStub(channel)
    grpc.channel_ready_future(channel).result(timeout=20)
    call = stub.UnaryCall.future(messages_pb2.SimpleRequest(response_size=314), timeout=20,
                                 metadata=[("x-interop-sleep-ms", "2500")])
    open(sys.argv[2], "w").close()
    print("OK", len(call.result().payload.body))
    """
}

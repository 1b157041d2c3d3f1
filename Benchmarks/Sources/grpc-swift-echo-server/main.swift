import ArgumentParser
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobufContracts
import Foundation
import NIOCore

/// bench.v1.Echo/Echo on grpc-swift 2.4.3 and grpc-swift-nio-transport 2.9.2: the same method as
/// our bench-server, decoded and re-encoded through swift-protobuf.
struct EchoService: RegistrableRPCService {
  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    router.registerHandler(
      forMethod: MethodDescriptor(fullyQualifiedService: "bench.v1.Echo", method: "Echo"),
      deserializer: ProtobufDeserializer<Bench_V1_EchoRequest>(),
      serializer: ProtobufSerializer<Bench_V1_EchoResponse>()
    ) { request, context in
      let message = try await ServerRequest(stream: request).message
      var response = Bench_V1_EchoResponse()
      response.payload = message.payload
      return StreamingServerResponse(single: ServerResponse(message: response))
    }
  }
}

@main
struct GRPCSwiftEchoServer: AsyncParsableCommand {
  @Option var port: Int = 50098
  /// Event loops: one per CPU the bench lets it use, as our servers size themselves, so that
  /// neither server runs two loops taking turns on one core.
  @Option var eventLoops = 1

  func run() async throws {
    NIOSingletons.groupLoopCountSuggestion = self.eventLoops
    let server = GRPCServer(
      transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: self.port), transportSecurity: .plaintext),
      services: [EchoService()]
    )
    try await withThrowingDiscardingTaskGroup { group in
      group.addTask { try await server.serve() }
      if let address = try await server.listeningAddress?.ipv4 {
        // Unbuffered, so that a parent reading the pipe sees it at once.
        FileHandle.standardOutput.write("listening \(address.host):\(address.port)\n".data(using: .utf8)!)
      }
    }
  }
}

import ArgumentParser
import InteropService
import RPCTransport
import ServiceKit

/// The gRPC interop test server (grpc.testing.TestService), with the official flag names.
@main
struct InteropServer: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interop-server",
    abstract: "Serves grpc.testing.TestService for the gRPC interop tests."
  )

  @Option(help: "The port to listen on; 0 picks a free one.")
  var port: Int = 10000

  @Option(help: "The address to listen on.")
  var host: String = "127.0.0.1"

  @Option(name: .customLong("use_tls"), help: "TLS is not supported; only false is accepted.")
  var useTLS: Bool = false

  func validate() throws {
    guard !self.useTLS else { throw ValidationError("--use_tls=true is not supported") }
  }

  func run() async throws {
    try EventLoopSizing.apply()
    let logger = ServerRunner.bootstrapLogging(label: "interop-server")
    try await ServerRunner.run(
      configuration: ServerConfiguration(host: self.host, port: self.port),
      services: [InteropTestService()],
      logger: logger
    )
  }
}

import ArgumentParser
import BenchV1
import RPCCore
import RPCTransport
import ServiceKit

/// The benchmark server: `bench.v1.Echo/Echo`, the payload decoded and re-encoded.
@main
struct BenchServer: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-server",
    abstract: "Serves bench.v1.Echo for load tests."
  )

  @Option(help: "The port to listen on; 0 picks a free one.")
  var port: Int = 50099

  @Option(help: "The address to listen on.")
  var host: String = "127.0.0.1"

  @Option(help: "SETTINGS_MAX_CONCURRENT_STREAMS per connection.")
  var maxConcurrentStreams: Int = 100

  func run() async throws {
    try EventLoopSizing.apply()
    let logger = ServerRunner.bootstrapLogging(label: "bench-server")
    var configuration = ServerConfiguration(host: self.host, port: self.port)
    configuration.maxConcurrentStreams = self.maxConcurrentStreams
    try await ServerRunner.run(configuration: configuration, services: [EchoHandler()], logger: logger)
  }
}

struct EchoHandler: Echo.SimpleServiceProtocol {
  func echo(_ request: EchoRequest, context: ServerContext) async throws -> EchoResponse {
    EchoResponse(payload: request.payload)
  }
}

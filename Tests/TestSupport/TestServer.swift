public import RPCCore
public import RPCTransport

/// An in-process gRPC server on a free loopback port, for transport tests.
public struct TestServer: Sendable {
  public let server: RPCServer
  public let port: Int
  private let task: Task<Void, any Error>

  /// Starts a server and waits until it listens.
  /// - Parameters:
  ///   - services: What it serves.
  ///   - interceptors: Its interceptors.
  ///   - configure: Changes to the default configuration.
  public static func start(
    services: [any RPCService],
    interceptors: [any ServerInterceptor] = [],
    configure: (inout ServerConfiguration) -> Void = { _ in }
  ) async throws -> TestServer {
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
    configuration.shutdownGracePeriod = .seconds(5)
    configure(&configuration)
    let server = RPCServer(configuration: configuration, services: services, interceptors: interceptors)
    let task = Task { try await server.run() }
    let port = try await server.listeningAddress.port
    return TestServer(server: server, port: port, task: task)
  }

  /// Shuts the server down gracefully and waits for `run()` to return.
  public func stop() async throws {
    self.server.beginGracefulShutdown()
    try await self.task.value
  }

  /// A client transport to this server.
  public func transport(configure: (inout ClientConfiguration) -> Void = { _ in }) -> HTTP2ClientTransport {
    var configuration = ClientConfiguration()
    configure(&configuration)
    return HTTP2ClientTransport(host: "127.0.0.1", port: self.port, configuration: configuration)
  }
}

/// Runs `body` with a started server, and stops it afterwards whatever happens.
public func withTestServer<T>(
  services: [any RPCService],
  interceptors: [any ServerInterceptor] = [],
  configure: (inout ServerConfiguration) -> Void = { _ in },
  _ body: (TestServer) async throws -> T
) async throws -> T {
  let server = try await TestServer.start(services: services, interceptors: interceptors, configure: configure)
  do {
    let result = try await body(server)
    try await server.stop()
    return result
  } catch {
    try? await server.stop()
    throw error
  }
}

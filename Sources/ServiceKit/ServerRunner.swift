public import Logging
public import RPCCore
internal import RPCHealth
public import RPCTransport
public import ServiceLifecycle
internal import NIOPosix
internal import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a gRPC server as a process: logs to stderr, serves health next to the given services,
/// prints `listening HOST:PORT` on stdout once bound (tests and scripts read it), and on SIGTERM
/// or SIGINT marks itself NOT_SERVING, drains, and returns so the process exits 0.
public enum ServerRunner {
  /// Sets up logging for the process: one line per event on stderr (``LineLogHandler``), level
  /// from `LOG_LEVEL` (default `info`).
  /// - Parameter label: The logger's label.
  public static func bootstrapLogging(label: String) -> Logger {
    let level = ServerRunner.logLevel
    LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
    return Logger(label: label)
  }

  private static var logLevel: Logger.Level {
    getenv("LOG_LEVEL").flatMap { Logger.Level(rawValue: String(cString: $0)) } ?? .info
  }

  /// Serves until a signal asks to stop.
  /// - Parameters:
  ///   - configuration: Address and limits.
  ///   - services: The services; health is added.
  ///   - interceptors: Run around every call.
  ///   - logger: Where the server logs.
  ///   - extraServices: Other services of the process, run and stopped with the server.
  public static func run(
    configuration: ServerConfiguration,
    services: [any RPCService],
    interceptors: [any ServerInterceptor] = [],
    logger: Logger
  ) async throws {
    let serviceNames = RPCRouter(services: services).serviceNames.sorted()
    let health = HealthService(services: serviceNames)
    let server = RPCServer(
      configuration: configuration,
      services: services + [health],
      interceptors: interceptors,
      logger: logger
    )
    try await Self.run([server, ListeningAnnouncer(server: server, health: health)], logger: logger)
  }

  /// Runs services until SIGTERM or SIGINT asks them to shut down gracefully.
  /// - Parameters:
  ///   - services: The process's services, run together and stopped in reverse order.
  ///   - logger: Where the group logs.
  public static func run(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(
      configuration: ServiceGroupConfiguration(
        services: services.map { .init(service: $0) },
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger
      )
    )
    do {
      try await group.run()
    } catch {
      await LineLogHandler.flushBatchedLines(on: MultiThreadedEventLoopGroup.singleton)
      throw error
    }
    await LineLogHandler.flushBatchedLines(on: MultiThreadedEventLoopGroup.singleton)
  }
}

/// Prints the bound address, then on shutdown marks health NOT_SERVING before the server drains.
private struct ListeningAnnouncer: Service {
  let server: RPCServer
  let health: HealthService

  func run() async throws {
    let (host, port) = try await self.server.listeningAddress
    // One unbuffered write, so a parent reading the pipe sees it at once.
    let line = Array("listening \(host):\(port)\n".utf8)
    _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    try? await gracefulShutdown()
    self.health.markAllNotServing()
  }
}

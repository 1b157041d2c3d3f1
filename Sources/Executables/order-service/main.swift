import ArgumentParser
import Logging
import OrderService
import RPCCore
import RPCTransport
import SQLiteStore
import ServiceKit
import UserV1

/// order.v1.OrderService: owns the orders, in its own SQLite file, and checks each customer with
/// the user service.
@main
struct OrderServiceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "order-service",
    abstract: "Serves order.v1.OrderService over gRPC.",
    discussion: "Every option has an environment variable; the option wins over the variable."
  )

  @Option(help: "The port to listen on; 0 picks a free one. [ORDER_SERVICE_PORT, default 50052]")
  var port: Int?

  @Option(help: "The address to listen on. [ORDER_SERVICE_HOST, default 127.0.0.1]")
  var host: String?

  @Option(help: "The SQLite database file, created if missing. [ORDER_SERVICE_DB, default ./data/orders.db]")
  var db: String?

  @Option(help: "The user service, HOST:PORT. [USER_ADDR, default 127.0.0.1:50051]")
  var userAddr: String?

  @Option(help: "The longest one call to the user service may take, within the caller's deadline. [USER_TIMEOUT, default 2s]")
  var userTimeout: String?

  @Option(help: "Consecutive user-service failures that open the circuit breaker. [BREAKER_FAILURES, default 5]")
  var breakerFailures: Int?

  @Option(help: "How long the breaker stays open before it probes. [BREAKER_OPEN, default 5s]")
  var breakerOpen: String?

  @Option(help: "Require this token on every call but health checks, and present it to the user service. [SERVICE_TOKEN]")
  var serviceToken: String?

  @Option(help: "full (fsync every commit) or normal (survives a process crash). [DB_DURABILITY, default full]")
  var durability: String?

  @Option(help: "The largest request message, in bytes. [MAX_MESSAGE_BYTES, default 4194304]")
  var maxMessageBytes: Int?

  func run() async throws {
    try EventLoopSizing.apply()
    let logger = ServerRunner.bootstrapLogging(label: "order-service")
    let configuration = try ServerRunner.configuration(
      host: self.host,
      port: self.port,
      maxMessageBytes: self.maxMessageBytes,
      variablePrefix: "ORDER_SERVICE",
      defaultPort: 50052
    )
    let database = try DatabaseOptions(db: self.db, pathVariable: "ORDER_SERVICE_DB", defaultPath: "./data/orders.db", durability: self.durability)
    let user = try Environment.hostAndPort(Environment.resolve(self.userAddr, "USER_ADDR", default: "127.0.0.1:50051"), name: "--user-addr")
    let hopTimeout = try Environment.duration(Environment.resolve(self.userTimeout, "USER_TIMEOUT", default: "2s"), name: "--user-timeout")
    let breakerConfiguration = CircuitBreaker.Configuration(
      failureThreshold: try Environment.resolve(self.breakerFailures, "BREAKER_FAILURES", default: 5),
      openDuration: try Environment.duration(Environment.resolve(self.breakerOpen, "BREAKER_OPEN", default: "5s"), name: "--breaker-open")
    )
    let token = self.serviceToken ?? Environment.value("SERVICE_TOKEN")

    let store = try OrderStore(path: database.path, durability: database.durability)
    let transport = HTTP2ClientTransport(host: user.host, port: user.port, logger: logger)
    let users = RemoteUserDirectory(
      client: UserService.Client(
        wrapping: RPCClient(transport: transport, interceptors: token.map { [ServiceTokenClientInterceptor(token: $0)] } ?? [])
      ),
      hopTimeout: hopTimeout,
      breaker: CircuitBreaker(name: "user-service", configuration: breakerConfiguration, logger: logger)
    )
    let interceptors = ServerRunner.serviceInterceptors(logger: logger, serviceToken: token)
    logger.info("starting", metadata: ["db": "\(database.path)", "user_addr": "\(user.host):\(user.port)"])
    defer { transport.close() }
    try await ServerRunner.run(
      configuration: configuration,
      services: [OrderServiceHandler(store: store, users: users)],
      interceptors: interceptors,
      logger: logger
    )
  }
}

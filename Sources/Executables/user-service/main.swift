import ArgumentParser
import Logging
import RPCCore
import RPCTransport
import SQLiteStore
import ServiceKit
import UserService

/// user.v1.UserService: owns the users, in its own SQLite file.
@main
struct UserServiceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "user-service",
    abstract: "Serves user.v1.UserService over gRPC.",
    discussion: "Every option has an environment variable; the option wins over the variable."
  )

  @Option(help: "The port to listen on; 0 picks a free one. [USER_SERVICE_PORT, default 50051]")
  var port: Int?

  @Option(help: "The address to listen on. [USER_SERVICE_HOST, default 127.0.0.1]")
  var host: String?

  @Option(help: "The SQLite database file, created if missing. [USER_SERVICE_DB, default ./data/users.db]")
  var db: String?

  @Option(help: "Require this token in x-service-token metadata on every call but health checks. [SERVICE_TOKEN]")
  var serviceToken: String?

  @Option(help: "full (fsync every commit) or normal (survives a process crash). [DB_DURABILITY, default full]")
  var durability: String?

  @Option(help: "The largest request message, in bytes. [MAX_MESSAGE_BYTES, default 4194304]")
  var maxMessageBytes: Int?

  func run() async throws {
    try EventLoopSizing.apply()
    let logger = ServerRunner.bootstrapLogging(label: "user-service")
    let configuration = try ServerRunner.configuration(
      host: self.host,
      port: self.port,
      maxMessageBytes: self.maxMessageBytes,
      variablePrefix: "USER_SERVICE",
      defaultPort: 50051
    )
    let database = try DatabaseOptions(db: self.db, pathVariable: "USER_SERVICE_DB", defaultPath: "./data/users.db", durability: self.durability)
    let store = try UserStore(path: database.path, durability: database.durability)
    let interceptors = ServerRunner.serviceInterceptors(logger: logger, serviceToken: self.serviceToken ?? Environment.value("SERVICE_TOKEN"))
    logger.info("starting", metadata: ["db": "\(database.path)", "durability": "\(database.durability.rawValue)"])
    try await ServerRunner.run(
      configuration: configuration,
      services: [UserServiceHandler(store: store)],
      interceptors: interceptors,
      logger: logger
    )
  }
}

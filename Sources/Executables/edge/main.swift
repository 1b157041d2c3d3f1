import ArgumentParser
import Edge
import Gateway
import Logging
import NIOCore
import NIOPosix
import RPCJSON
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// Runs the command with Swift concurrency's global executor on NIO's event loops, so that the
/// few tasks the edge starts outside a connection's loop (readiness probes, the service group)
/// share its threads rather than waking a second pool.
@main
enum EdgeMain {
  static func main() async {
    do {
      try EventLoopSizing.apply()
    } catch {
      EdgeCommand.exit(withError: error)
    }
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    await EdgeCommand.main()
  }
}

/// The one public entry: REST/JSON over HTTP/1.1, translated into RPCs to the services.
struct EdgeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "edge",
    abstract: "The REST/JSON gateway in front of user-service and order-service.",
    subcommands: [Serve.self, MintToken.self],
    defaultSubcommand: Serve.self
  )
}

struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Serves the API (the default).",
    discussion: "Every option has an environment variable; the option wins over the variable."
  )

  @Option(help: "The port to listen on; 0 picks a free one. [EDGE_PORT, default 8080]")
  var port: Int?

  @Option(help: "The address to listen on. [EDGE_HOST, default 127.0.0.1]")
  var host: String?

  @Option(help: "user-service, HOST:PORT. [USER_ADDR, default 127.0.0.1:50051]")
  var userAddr: String?

  @Option(help: "order-service, HOST:PORT. [ORDER_ADDR, default 127.0.0.1:50052]")
  var orderAddr: String?

  @Option(help: "The HS256 secret of bearer tokens; required. [EDGE_JWT_SECRET]")
  var jwtSecret: String?

  @Option(help: "Presented to the services as x-service-token. [SERVICE_TOKEN]")
  var serviceToken: String?

  @Option(help: "Deadline of each upstream call. [EDGE_TIMEOUT, default 5s]")
  var timeout: String?

  @Option(help: "Largest request body in bytes. [EDGE_MAX_BODY_BYTES, default 1048576]")
  var maxBodyBytes: Int?

  @Option(help: "Largest request head in bytes. [EDGE_MAX_HEADER_BYTES, default 16384]")
  var maxHeaderBytes: Int?

  @Option(help: "Requests per second per client. [EDGE_RATE_LIMIT, default 50]")
  var rateLimit: Int?

  @Option(help: "Burst per client. [EDGE_RATE_BURST, default 100]")
  var rateBurst: Int?

  @Option(help: "Connections served at once. [EDGE_MAX_CONNECTIONS, default 1024]")
  var maxConnections: Int?

  @Option(help: "Time a client may take to send a request head. [EDGE_HEADER_TIMEOUT, default 10s]")
  var headerTimeout: String?

  @Option(help: "Time a client may take to send a request body. [EDGE_BODY_TIMEOUT, default 30s]")
  var bodyTimeout: String?

  func run() async throws {
    let logger = ServerRunner.bootstrapLogging(label: "edge")
    guard let secret = self.jwtSecret ?? Environment.value("EDGE_JWT_SECRET") else {
      throw ValidationError("--jwt-secret (or EDGE_JWT_SECRET) is required")
    }
    var configuration = EdgeConfiguration(jwtSecret: secret)
    configuration.host = Environment.resolve(self.host, "EDGE_HOST", default: "127.0.0.1")
    configuration.port = try Environment.resolve(self.port, "EDGE_PORT", default: 8080)
    configuration.userAddress = try Environment.hostAndPort(Environment.resolve(self.userAddr, "USER_ADDR", default: "127.0.0.1:50051"), name: "--user-addr")
    configuration.orderAddress = try Environment.hostAndPort(Environment.resolve(self.orderAddr, "ORDER_ADDR", default: "127.0.0.1:50052"), name: "--order-addr")
    configuration.serviceToken = self.serviceToken ?? Environment.value("SERVICE_TOKEN")
    configuration.defaultTimeout = try Environment.duration(Environment.resolve(self.timeout, "EDGE_TIMEOUT", default: "5s"), name: "--timeout")
    configuration.maxBodyBytes = try Environment.resolve(self.maxBodyBytes, "EDGE_MAX_BODY_BYTES", default: 1 << 20)
    configuration.maxHeaderBytes = try Environment.resolve(self.maxHeaderBytes, "EDGE_MAX_HEADER_BYTES", default: 16 << 10)
    configuration.rateLimitPerSecond = Double(try Environment.resolve(self.rateLimit, "EDGE_RATE_LIMIT", default: 50))
    configuration.rateLimitBurst = try Environment.resolve(self.rateBurst, "EDGE_RATE_BURST", default: 100)
    configuration.maxConnections = try Environment.resolve(self.maxConnections, "EDGE_MAX_CONNECTIONS", default: 1024)
    configuration.headerTimeout = try Environment.duration(Environment.resolve(self.headerTimeout, "EDGE_HEADER_TIMEOUT", default: "10s"), name: "--header-timeout")
    configuration.bodyTimeout = try Environment.duration(Environment.resolve(self.bodyTimeout, "EDGE_BODY_TIMEOUT", default: "30s"), name: "--body-timeout")

    let server = try EdgeServer(configuration: configuration, logger: logger) { host, port in
      // `listening HOST:PORT` on stdout, as every server of the project prints.
      let line = Array("listening \(host):\(port)\n".utf8)
      _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }
    try await ServerRunner.run([server], logger: logger)
  }
}

/// Mints a development token for local use.
struct MintToken: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "mint-token", abstract: "Prints an HS256 bearer token.")

  @Option(help: "The HS256 secret. [EDGE_JWT_SECRET]")
  var jwtSecret: String?

  @Option(help: "The token's subject.")
  var sub: String = "developer"

  @Option(help: "How long the token is valid, such as 24h.")
  var ttl: String = "24h"

  func run() throws {
    guard let secret = self.jwtSecret ?? Environment.value("EDGE_JWT_SECRET") else {
      throw ValidationError("--jwt-secret (or EDGE_JWT_SECRET) is required")
    }
    let ttl = try Environment.duration(self.ttl, name: "--ttl")
    let now = Int64(time(nil))
    let claims: JSONValue = [
      "sub": .string(self.sub),
      "iat": .number(String(now)),
      "exp": .number(String(now + ttl.components.seconds)),
    ]
    print(JWTVerifier.sign(claims: claims, secret: secret))
  }
}

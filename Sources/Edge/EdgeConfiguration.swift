/// Everything the edge can be told; every limit has a safe default.
public struct EdgeConfiguration: Sendable {
  public var host = "127.0.0.1"
  public var port = 8080
  /// user-service, HOST:PORT.
  public var userAddress = (host: "127.0.0.1", port: 50051)
  /// order-service, HOST:PORT.
  public var orderAddress = (host: "127.0.0.1", port: 50052)
  /// The HS256 secret of the bearer tokens.
  public var jwtSecret: String
  /// Presented to the services in `x-service-token`, if set.
  public var serviceToken: String?
  /// The deadline of every upstream call; a `Grpc-Timeout` header may shorten it. Default 5 s.
  public var defaultTimeout: Duration = .seconds(5)
  /// The largest request body, chunked or not. Default 1 MiB.
  public var maxBodyBytes = 1 << 20
  /// The largest request head (request line and header fields). Default 16 KiB.
  public var maxHeaderBytes = 16 << 10
  /// Requests per second each client (token `sub`, else address) may make on average. Default 50.
  public var rateLimitPerSecond = 50.0
  /// Requests each client may make at once. Default 100.
  public var rateLimitBurst = 100
  /// Connections served at once; more wait in the accept backlog. Default 1,024.
  public var maxConnections = 1024
  /// How long a client may take to send a request's head, and how long a kept-alive connection
  /// may wait for its next one. Default 10 s.
  public var headerTimeout: Duration = .seconds(10)
  /// How long a client may take to send a request's body. Default 30 s.
  public var bodyTimeout: Duration = .seconds(30)
  /// How long `/readyz` waits for each upstream's health check. Default 1 s.
  public var readinessTimeout: Duration = .seconds(1)
  /// How long a shutdown waits for requests in flight before closing their connections. Default 10 s.
  public var shutdownGracePeriod: Duration = .seconds(10)

  public init(jwtSecret: String) {
    self.jwtSecret = jwtSecret
  }
}

/// Everything a gRPC server can be told; every limit has a safe default.
public struct ServerConfiguration: Sendable {
  /// The address to listen on.
  public var host: String
  /// The port to listen on; 0 picks a free one.
  public var port: Int
  /// The largest request message accepted; a larger one is refused with `RESOURCE_EXHAUSTED`
  /// from its 5-byte prefix, before it is buffered. Default 4 MiB, as in gRPC.
  public var maxReceiveMessageBytes: Int
  /// SETTINGS_MAX_CONCURRENT_STREAMS per connection. Default 100.
  public var maxConcurrentStreams: Int
  /// The largest request header block, in RFC 9113 accounting. Default 16 KiB.
  public var maxHeaderListBytes: Int
  /// How long in-flight calls may take to finish after a graceful shutdown begins. Default 10 s.
  public var shutdownGracePeriod: Duration
  /// The most connections served at once; further ones are closed on accept. Default 10,000.
  public var maxConnections: Int
  /// How long a connection may stay open without a stream before it is closed with GOAWAY;
  /// `nil` keeps idle connections. Default 5 minutes.
  public var maxConnectionIdle: Duration?

  /// Creates a configuration.
  /// - Parameters:
  ///   - host: The address to listen on.
  ///   - port: The port to listen on.
  public init(host: String = "127.0.0.1", port: Int = 0) {
    self.host = host
    self.port = port
    self.maxReceiveMessageBytes = 4 << 20
    self.maxConcurrentStreams = 100
    self.maxHeaderListBytes = 16 << 10
    self.shutdownGracePeriod = .seconds(10)
    self.maxConnections = 10_000
    self.maxConnectionIdle = .seconds(300)
  }
}

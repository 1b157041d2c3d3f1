/// Everything a gRPC client can be told; every limit has a safe default.
public struct ClientConfiguration: Sendable {
  /// Reconnection pacing after a failed attempt: exponential with jitter.
  public struct Backoff: Sendable {
    /// The delay after the first failure. Default 100 ms.
    public var initial: Duration = .milliseconds(100)
    /// The factor each further failure multiplies the delay by. Default 1.6, as in gRPC.
    public var multiplier: Double = 1.6
    /// The longest delay. Default 5 s.
    public var maximum: Duration = .seconds(5)
    /// The relative random spread around each delay. Default 0.2 (±20%).
    public var jitter: Double = 0.2

    public init() {}

    /// The delay before attempt `attempt` (1 after the first failure), with jitter applied.
    func delay(afterFailures attempt: Int, random: Double = Double.random(in: -1...1)) -> Duration {
      var seconds = Double(self.initial.components.seconds) + Double(self.initial.components.attoseconds) / 1e18
      let maximum = Double(self.maximum.components.seconds) + Double(self.maximum.components.attoseconds) / 1e18
      for _ in 1..<max(attempt, 1) { seconds = min(seconds * self.multiplier, maximum) }
      seconds *= 1 + self.jitter * random
      return .nanoseconds(Int64(max(seconds, 0) * 1e9))
    }
  }

  /// HTTP/2 PINGs that detect a dead connection.
  public struct Keepalive: Sendable {
    /// How often to ping.
    public var interval: Duration
    /// How long an unanswered ping may stay unanswered before the connection is dropped.
    public var timeout: Duration
    /// Whether to ping while no call is in flight.
    public var permitWithoutCalls: Bool

    public init(interval: Duration, timeout: Duration = .seconds(20), permitWithoutCalls: Bool = false) {
      self.interval = interval
      self.timeout = timeout
      self.permitWithoutCalls = permitWithoutCalls
    }
  }

  /// The largest response message accepted. Default 4 MiB.
  public var maxResponseMessageBytes: Int = 4 << 20
  /// How long one connection attempt may take. Default 5 s.
  public var connectTimeout: Duration = .seconds(5)
  /// Reconnection pacing.
  public var backoff = Backoff()
  /// Keepalive pings; off by default, as in gRPC.
  public var keepalive: Keepalive?
  /// The `:authority` to send; default `host:port`.
  public var authority: String?
  /// The `user-agent` to send.
  public var userAgent = "swift-rpc/0.1 (nghttp2)"
  /// The largest response header block accepted. Default 16 KiB.
  public var maxHeaderListBytes = 16 << 10

  public init() {}
}

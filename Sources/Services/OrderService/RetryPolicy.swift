public import RPCCore

/// Retries of a call whose failure says the server never handled it: `UNAVAILABLE` only (a
/// refused connection, or a live server that answered UNAVAILABLE). Backoff is exponential with
/// jitter, and no attempt starts that could not finish before the deadline.
public struct RetryPolicy: Sendable {
  /// Attempts in all, the first included. Default 4.
  public var maxAttempts = 4
  /// The delay before the first retry. Default 50 ms.
  public var initialBackoff: Duration = .milliseconds(50)
  /// The factor each retry multiplies the delay by. Default 2.
  public var multiplier = 2.0
  /// The longest delay. Default 1 s.
  public var maxBackoff: Duration = .seconds(1)

  public init() {}

  /// Whether `error` may be retried.
  public static func isRetryable(_ error: RPCError) -> Bool {
    error.code == .unavailable
  }

  /// The delay before retry number `retry` (1-based), with ±20% jitter.
  public func backoff(retry: Int) -> Duration {
    var seconds = Double(self.initialBackoff.components.attoseconds) / 1e18 + Double(self.initialBackoff.components.seconds)
    let maximum = Double(self.maxBackoff.components.attoseconds) / 1e18 + Double(self.maxBackoff.components.seconds)
    for _ in 1..<max(retry, 1) { seconds = min(seconds * self.multiplier, maximum) }
    return .nanoseconds(Int64(seconds * Double.random(in: 0.8...1.2) * 1e9))
  }
}

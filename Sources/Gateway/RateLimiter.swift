internal import Synchronization

/// Token buckets keyed by client: each key may make `burst` requests at once and `rate` per
/// second on average.
public final class RateLimiter: Sendable {
  public enum Decision: Sendable, Equatable {
    case allowed
    /// Refused; a token will be available after this many seconds (rounded up, at least 1).
    case limited(retryAfterSeconds: Int)
  }

  private struct Bucket {
    var tokens: Double
    var updated: ContinuousClock.Instant
  }

  private let rate: Double
  private let burst: Double
  /// The most keys tracked; beyond it, buckets that have refilled are forgotten first.
  private let maxKeys: Int
  private let buckets = Mutex<[String: Bucket]>([:])

  public init(ratePerSecond: Double, burst: Int, maxKeys: Int = 100_000) {
    self.rate = ratePerSecond
    self.burst = Double(burst)
    self.maxKeys = maxKeys
  }

  public func take(key: String, now: ContinuousClock.Instant = .now) -> Decision {
    self.buckets.withLock { buckets in
      var bucket = buckets[key] ?? Bucket(tokens: self.burst, updated: now)
      let elapsed = bucket.updated.duration(to: now)
      let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      bucket.tokens = min(self.burst, bucket.tokens + max(0, seconds) * self.rate)
      bucket.updated = now
      let decision: Decision
      if bucket.tokens >= 1 {
        bucket.tokens -= 1
        decision = .allowed
      } else {
        decision = .limited(retryAfterSeconds: max(1, Int(((1 - bucket.tokens) / self.rate).rounded(.up))))
      }
      buckets[key] = bucket
      if buckets.count > self.maxKeys {
        // Full buckets carry no state worth keeping.
        for (key, bucket) in buckets where bucket.tokens + Double(bucket.updated.duration(to: now).components.seconds) * self.rate >= self.burst {
          buckets[key] = nil
        }
      }
      return decision
    }
  }
}

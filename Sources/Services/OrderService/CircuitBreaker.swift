public import Logging
internal import Synchronization

/// Stops calling a dependency that keeps failing, so callers fail in microseconds instead of
/// piling up on it, and probes it again after a cool-down.
///
/// Closed: calls pass; `failureThreshold` consecutive failures open it. Open: calls are refused
/// at once; after `openDuration` the next call is let through as a probe (half-open). Half-open:
/// the probe's success closes it, its failure opens it again. Every change is logged.
public final class CircuitBreaker: Sendable {
  public struct Configuration: Sendable {
    /// Consecutive failures that open the breaker. Default 5.
    public var failureThreshold = 5
    /// How long it stays open before a probe. Default 5 s.
    public var openDuration: Duration = .seconds(5)

    public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(5)) {
      self.failureThreshold = failureThreshold
      self.openDuration = openDuration
    }
  }

  public enum State: Sendable, Equatable {
    case closed(consecutiveFailures: Int)
    case open(until: ContinuousClock.Instant)
    case halfOpen(probeInFlight: Bool)
  }

  /// What a caller may do now.
  public enum Permission: Sendable, Equatable {
    case allowed
    case refused(retryAfter: Duration)
  }

  private let configuration: Configuration
  private let name: String
  private let logger: Logger
  private let state = Mutex(State.closed(consecutiveFailures: 0))

  public init(name: String, configuration: Configuration, logger: Logger) {
    self.name = name
    self.configuration = configuration
    self.logger = logger
  }

  /// The current state.
  public var current: State { self.state.withLock { $0 } }

  /// Asks to make a call. In half-open state only one probe is allowed at a time.
  public func acquire(now: ContinuousClock.Instant = .now) -> Permission {
    let (permission, transition) = self.state.withLock { state -> (Permission, String?) in
      switch state {
      case .closed:
        return (.allowed, nil)
      case .open(let until):
        if now < until { return (.refused(retryAfter: now.duration(to: until)), nil) }
        state = .halfOpen(probeInFlight: true)
        return (.allowed, "half-open: probing")
      case .halfOpen(let probeInFlight):
        if probeInFlight { return (.refused(retryAfter: .zero), nil) }
        state = .halfOpen(probeInFlight: true)
        return (.allowed, nil)
      }
    }
    if let transition { self.log(transition) }
    return permission
  }

  /// Reports that a call reached the dependency and it answered (whatever the answer).
  public func recordSuccess() {
    let closed = self.state.withLock { state -> Bool in
      switch state {
      case .closed:
        state = .closed(consecutiveFailures: 0)
        return false
      case .open, .halfOpen:
        state = .closed(consecutiveFailures: 0)
        return true
      }
    }
    if closed { self.log("closed: the dependency answers again") }
  }

  /// Reports that a call failed because of the dependency (unreachable, too slow).
  public func recordFailure(now: ContinuousClock.Instant = .now) {
    let opened = self.state.withLock { state -> String? in
      switch state {
      case .closed(let failures):
        if failures + 1 >= self.configuration.failureThreshold {
          state = .open(until: now.advanced(by: self.configuration.openDuration))
          return "opened after \(failures + 1) consecutive failures"
        }
        state = .closed(consecutiveFailures: failures + 1)
        return nil
      case .halfOpen:
        state = .open(until: now.advanced(by: self.configuration.openDuration))
        return "re-opened: the probe failed"
      case .open:
        return nil
      }
    }
    if let opened { self.log(opened) }
  }

  private func log(_ change: String) {
    self.logger.warning("circuit breaker \(change)", metadata: ["dependency": "\(self.name)"])
  }
}

public import RPCCore
public import UserV1

/// How the order service learns whether a customer exists.
public protocol UserDirectory: Sendable {
  /// Whether the user exists.
  /// - Throws: `UNAVAILABLE` or `DEADLINE_EXCEEDED` when that cannot be known now.
  func userExists(id: String) async throws(RPCError) -> Bool
}

/// The user service over the network, with retries for `UNAVAILABLE`, a per-hop timeout under
/// the caller's deadline, and a circuit breaker.
public struct RemoteUserDirectory: UserDirectory {
  private let client: UserService.Client
  private let breaker: CircuitBreaker
  private let retry: RetryPolicy
  private let hopTimeout: Duration

  /// - Parameters:
  ///   - client: The user service client.
  ///   - hopTimeout: The longest one GetUser attempt may take, within the caller's deadline.
  ///   - retry: Which failures are retried, how often.
  ///   - breaker: The breaker guarding the user service.
  public init(client: UserService.Client, hopTimeout: Duration, retry: RetryPolicy = RetryPolicy(), breaker: CircuitBreaker) {
    self.client = client
    self.hopTimeout = hopTimeout
    self.retry = retry
    self.breaker = breaker
  }

  public func userExists(id: String) async throws(RPCError) -> Bool {
    var attempt = 0
    while true {
      attempt += 1
      if case .refused(let retryAfter) = self.breaker.acquire() {
        throw RPCError(
          code: .unavailable,
          message: "user service unavailable (circuit breaker open; retry in \(retryAfter.components.seconds)s)"
        )
      }
      do {
        // The deadline is the earlier of the caller's (inherited through CallScope) and the hop's.
        _ = try await self.client.getUser(GetUserRequest(id: id), options: CallOptions(timeout: self.hopTimeout))
        self.breaker.recordSuccess()
        return true
      } catch {
        switch error.code {
        case .notFound:
          self.breaker.recordSuccess()
          return false
        case .unavailable, .deadlineExceeded, .internal, .unknown, .resourceExhausted:
          self.breaker.recordFailure()
        default:
          self.breaker.recordSuccess()
        }
        guard RetryPolicy.isRetryable(error), attempt < self.retry.maxAttempts else {
          throw Self.reported(error)
        }
        let delay = self.retry.backoff(retry: attempt)
        if let deadline = CallScope.current.deadline, ContinuousClock.now.advanced(by: delay) >= deadline {
          throw Self.reported(error)
        }
        do {
          try await Task.sleep(for: delay)
        } catch {
          throw RPCError(code: .cancelled, message: "cancelled while retrying the user service")
        }
      }
    }
  }

  /// What CreateOrder reports when the user service failed: unreachable or slow as such, any
  /// other failure of the dependency as UNAVAILABLE, never as the caller's own fault.
  private static func reported(_ error: RPCError) -> RPCError {
    switch error.code {
    case .deadlineExceeded:
      return RPCError(code: .deadlineExceeded, message: "user service did not answer in time: \(error.message)", cause: error)
    case .unauthenticated, .permissionDenied:
      return RPCError(code: .internal, message: "the order service is not allowed to call the user service: \(error.message)", cause: error)
    default:
      return RPCError(code: .unavailable, message: "user service unavailable: \(error.message)", cause: error)
    }
  }
}

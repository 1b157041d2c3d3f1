public import HealthV1
public import RPCCore
internal import Synchronization

/// `grpc.health.v1.Health/Check` (grpc/grpc `doc/health-checking.md`): the serving status of the
/// server as a whole (`""`) and of each service by its full name.
public final class HealthService: Health.SimpleServiceProtocol, Sendable {
  private let statuses: Mutex<[String: HealthCheckResponse.ServingStatus]>

  /// Creates the service with every named service, and the server, `SERVING`.
  /// - Parameter services: Fully qualified service names.
  public init(services: [String]) {
    var statuses: [String: HealthCheckResponse.ServingStatus] = ["": .serving]
    for service in services { statuses[service] = .serving }
    self.statuses = Mutex(statuses)
  }

  /// Sets the status of a service, or of the server with `""`.
  /// - Parameters:
  ///   - status: The new status.
  ///   - service: A fully qualified service name, or `""`.
  public func setStatus(_ status: HealthCheckResponse.ServingStatus, for service: String) {
    self.statuses.withLock { $0[service] = status }
  }

  /// Marks everything `NOT_SERVING`, as a server about to stop does.
  public func markAllNotServing() {
    self.statuses.withLock { statuses in
      for key in statuses.keys { statuses[key] = .notServing }
    }
  }

  public func check(_ request: HealthCheckRequest, context: ServerContext) async throws -> HealthCheckResponse {
    guard let status = self.statuses.withLock({ $0[request.service] }) else {
      throw RPCError(code: .notFound, message: "Unknown service '\(request.service)'")
    }
    return HealthCheckResponse(status: status)
  }
}

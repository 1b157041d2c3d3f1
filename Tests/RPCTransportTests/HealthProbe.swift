import HealthV1
import RPCCore
import RPCHealth

enum HealthProbe {
  static func make(services: [String]) -> HealthService {
    HealthService(services: services)
  }

  /// A function that checks one service and answers its status name, or the error code's name.
  static func client(_ rpc: RPCClient) -> @Sendable (String) async throws -> String {
    let client = Health.Client(wrapping: rpc)
    return { service in
      do {
        let response = try await client.check(HealthCheckRequest(service: service))
        return response.status == .serving ? "SERVING" : "\(response.status)"
      } catch let error as RPCError {
        return error.code.name
      }
    }
  }
}

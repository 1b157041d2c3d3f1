import Foundation
import OrderV1
import RPCCore
import RPCTransport
import ServiceKit
import TestSupport
import UserV1

/// user-service and order-service as real processes, on free loopback ports, with databases in
/// a temporary folder, and typed clients to both.
final class ServiceCluster: @unchecked Sendable {
  // @unchecked: the processes are replaced only by the test that owns the cluster.
  static let token = "test-service-token"

  let folder: URL
  var user: ServerProcess
  var order: ServerProcess
  let extraOrderArguments: [String]

  init(orderArguments: [String] = []) async throws {
    self.folder = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
    self.extraOrderArguments = orderArguments
    // Tests restart these on the same ports, so the ports come from outside the ephemeral range.
    self.user = try await Self.startUser(folder: self.folder, port: LoopbackPort.unused())
    self.order = try await Self.startOrder(folder: self.folder, port: LoopbackPort.unused(), userPort: self.user.port, extra: orderArguments)
  }

  static func startUser(folder: URL, port: Int) async throws -> ServerProcess {
    try await ServerProcess(
      ServerProcess.binary("user-service"),
      ["--port", String(port), "--db", folder.appendingPathComponent("users.db").path, "--service-token", Self.token, "--durability", "normal"]
    )
  }

  static func startOrder(folder: URL, port: Int, userPort: Int, extra: [String]) async throws -> ServerProcess {
    try await ServerProcess(
      ServerProcess.binary("order-service"),
      ["--port", String(port), "--db", folder.appendingPathComponent("orders.db").path,
       "--user-addr", "127.0.0.1:\(userPort)", "--service-token", Self.token, "--durability", "normal"] + extra
    )
  }

  /// Restarts user-service on the same port and database.
  func restartUser(signal: Int32 = SIGTERM) async throws {
    let port = self.user.port
    await self.user.stop(signal: signal)
    self.user = try await Self.startUser(folder: self.folder, port: port)
  }

  /// Restarts order-service on the same port and database.
  func restartOrder(signal: Int32 = SIGTERM) async throws {
    let port = self.order.port
    await self.order.stop(signal: signal)
    self.order = try await Self.startOrder(folder: self.folder, port: port, userPort: self.user.port, extra: self.extraOrderArguments)
  }

  func rpc(port: Int, token: String? = ServiceCluster.token) -> RPCClient {
    var configuration = ClientConfiguration()
    configuration.backoff.initial = .milliseconds(20)
    configuration.backoff.maximum = .milliseconds(200)
    let transport = HTTP2ClientTransport(host: "127.0.0.1", port: port, configuration: configuration)
    return RPCClient(transport: transport, interceptors: token.map { [ServiceTokenClientInterceptor(token: $0)] } ?? [])
  }

  var users: UserService.Client { UserService.Client(wrapping: self.rpc(port: self.user.port)) }
  var orders: OrderService.Client { OrderService.Client(wrapping: self.rpc(port: self.order.port)) }

  func stop() async -> (user: Int32, order: Int32) {
    let order = await self.order.stop()
    let user = await self.user.stop()
    try? FileManager.default.removeItem(at: self.folder)
    return (user, order)
  }
}

/// Runs `body` with a cluster, stopping it afterwards.
func withCluster<T>(orderArguments: [String] = [], _ body: (ServiceCluster) async throws -> T) async throws -> T {
  try await withStarted({ try await ServiceCluster(orderArguments: orderArguments) }, stop: { _ = await $0.stop() }, body)
}

/// Starts something, runs `body` with it, and stops it whether `body` succeeded or not.
func withStarted<Resource, T>(
  _ start: () async throws -> Resource,
  stop: (Resource) async -> Void,
  _ body: (Resource) async throws -> T
) async throws -> T {
  let resource = try await start()
  do {
    let result = try await body(resource)
    await stop(resource)
    return result
  } catch {
    await stop(resource)
    throw error
  }
}

/// The error a call throws, or nil if it succeeded.
func rpcError<T>(_ body: () async throws -> T) async -> RPCError? {
  do {
    _ = try await body()
    return nil
  } catch let error as RPCError {
    return error
  } catch {
    return RPCError(code: .unknown, message: "not an RPCError: \(error)")
  }
}

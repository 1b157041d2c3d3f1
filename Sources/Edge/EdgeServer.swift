internal import Gateway
public import Hummingbird
internal import HummingbirdCore
public import Logging
internal import NIOCore
internal import OrderV1
public import RPCCore
internal import RPCTransport
internal import ServiceKit
internal import UserV1

/// The edge as a runnable service: Hummingbird's HTTP/1.1 server with the edge's limits, in
/// front of user-service and order-service.
public enum EdgeServer {
  /// The method tables whose `google.api.http` rules become routes: a new annotated RPC in one
  /// of these services appears here after `make generate`.
  public static let tables: [[MethodInfo]] = [UserService.Method.table, OrderService.Method.table]

  /// Builds the application.
  /// - Parameters:
  ///   - configuration: Addresses, secrets, limits.
  ///   - logger: Where access lines go.
  ///   - onServerRunning: Called with the bound channel once the server listens.
  public static func makeApplication(
    configuration: EdgeConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
  ) throws -> some ApplicationProtocol {
    let routes = try GatewayRoute.routes(from: Self.tables.flatMap { $0 })
    let interceptors: [any ClientInterceptor] = configuration.serviceToken.map { [ServiceTokenClientInterceptor(token: $0)] } ?? []
    let user = RPCClient(
      transport: HTTP2ClientTransport(host: configuration.userAddress.host, port: configuration.userAddress.port, logger: logger),
      interceptors: interceptors
    )
    let order = RPCClient(
      transport: HTTP2ClientTransport(host: configuration.orderAddress.host, port: configuration.orderAddress.port, logger: logger),
      interceptors: interceptors
    )
    let responder = EdgeResponder(
      configuration: configuration,
      routes: routes,
      clients: [UserService.name: user, OrderService.name: order],
      health: [(name: "order-service", client: order), (name: "user-service", client: user)],
      logger: logger
    )
    let guardConfiguration = (configuration.maxHeaderBytes, configuration.headerTimeout, configuration.bodyTimeout)
    var http1 = HTTP1Channel.Configuration(
      additionalChannelHandlers: [
        RequestGuardHandler(maxHeaderBytes: guardConfiguration.0, headerTimeout: guardConfiguration.1, bodyTimeout: guardConfiguration.2)
      ],
      idleTimeout: .nanoseconds(configuration.idleTimeout.components.seconds * 1_000_000_000)
    )
    // NIO's own parser limit sits above ours, so that a request head between the two is answered
    // 431 by the guard rather than dropped.
    http1.httpDecoder = .init(maxHeaderFieldSize: 64 << 10, maxHeaderListSize: 64 << 10, maxHeaderFieldCount: 200)
    return Application(
      responder: responder,
      server: .http1(configuration: http1),
      configuration: ApplicationConfiguration(
        address: .hostname(configuration.host, port: configuration.port),
        serverName: nil,
        backlog: 1024,
        reuseAddress: true,
        availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)
      ),
      onServerRunning: onServerRunning,
      logger: logger
    )
  }
}

internal import Gateway
public import Logging
internal import NIOConcurrencyHelpers
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
internal import OrderV1
public import RPCCore
internal import RPCTransport
public import ServiceLifecycle
internal import ServiceKit
internal import UserV1

/// The edge as a service: an HTTP/1.1 server (SwiftNIO's HTTP/1.1 codec) with the edge's
/// limits, in front of user-service and order-service.
///
/// Run it in a `ServiceGroup`: SIGTERM or SIGINT stops accepting, lets each connection finish the
/// request it is on, and `run()` returns once all have closed or the grace period ended.
public final class EdgeServer: Service, Sendable {
  /// The method tables whose `google.api.http` rules become routes: a new annotated RPC in one
  /// of these services appears here after `make generate`.
  public static let tables: [[MethodInfo]] = [UserService.Method.table, OrderService.Method.table]

  private let configuration: EdgeConfiguration
  private let responder: EdgeResponder
  private let upstreams: [HTTP2ClientTransport]
  private let onListening: @Sendable (_ host: String, _ port: Int) -> Void
  private let registry = NIOLockedValueBox<NIOLoopBound<ConnectionRegistry>?>(nil)
  private let logger: Logger

  /// - Parameters:
  ///   - configuration: Addresses, secrets, limits.
  ///   - logger: Where access lines and server events go.
  ///   - onListening: Called with the bound address once the server listens.
  /// - Throws: If the contracts' routes do not build (a bad `google.api.http` rule).
  public init(
    configuration: EdgeConfiguration,
    logger: Logger,
    onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }
  ) throws {
    let routes = try GatewayRoute.routes(from: Self.tables.flatMap { $0 })
    let interceptors: [any ClientInterceptor] = configuration.serviceToken.map { [ServiceTokenClientInterceptor(token: $0)] } ?? []
    let userTransport = HTTP2ClientTransport(host: configuration.userAddress.host, port: configuration.userAddress.port, logger: logger)
    let orderTransport = HTTP2ClientTransport(host: configuration.orderAddress.host, port: configuration.orderAddress.port, logger: logger)
    let user = RPCClient(transport: userTransport, interceptors: interceptors)
    let order = RPCClient(transport: orderTransport, interceptors: interceptors)
    self.configuration = configuration
    self.responder = EdgeResponder(
      configuration: configuration,
      routes: routes,
      clients: [UserService.name: user, OrderService.name: order],
      health: [(name: "order-service", client: order), (name: "user-service", client: user)],
      logger: logger
    )
    self.upstreams = [userTransport, orderTransport]
    self.onListening = onListening
    self.logger = logger
  }

  /// Binds and serves until a graceful shutdown completes.
  public func run() async throws {
    let configuration = self.configuration
    let responder = self.responder
    let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 1024)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      // One connection per accept, so that the connection limit holds exactly.
      .serverChannelOption(.maxMessagesPerRead, value: 1)
      .serverChannelInitializer { [registry = self.registry] listener in
        listener.eventLoop.makeCompletedFuture {
          let handler = ConnectionRegistry(
            listener: listener,
            maxConnections: configuration.maxConnections,
            gracePeriod: configuration.shutdownGracePeriod
          )
          try listener.pipeline.syncOperations.addHandler(handler)
          registry.withLockedValue { $0 = NIOLoopBound(handler, eventLoop: listener.eventLoop) }
        }
      }
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { connection in
        connection.eventLoop.makeCompletedFuture {
          let pipeline = connection.pipeline.syncOperations
          // NIO's own header limits sit above ours, so that a head between the two is answered
          // 431 by the guard, which names the configured limit.
          var limits = NIOHTTPDecoderLimitConfiguration()
          limits.maxHeaderFieldSize = max(64 << 10, configuration.maxHeaderBytes)
          limits.maxHeaderListSize = max(64 << 10, configuration.maxHeaderBytes)
          limits.maxHeaderFieldCount = 200
          // NIO's decoder and encoder without its pipelining handler, whose pause in reading
          // for every answer costs two epoll_ctl calls per request; EdgeHTTPHandler holds
          // pipelined requests itself.
          try pipeline.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, limitConfiguration: limits)))
          try pipeline.addHandler(HTTPResponseEncoder())
          try pipeline.addHandler(
            RequestGuardHandler(
              maxHeaderBytes: configuration.maxHeaderBytes,
              headerTimeout: configuration.headerTimeout,
              bodyTimeout: configuration.bodyTimeout
            )
          )
          try pipeline.addHandler(EdgeHTTPHandler(responder: responder, maxBodyBytes: configuration.maxBodyBytes, eventLoop: connection.eventLoop))
        }
      }

    let listener = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
    let address = listener.localAddress
    self.logger.info("listening", metadata: ["address": "\(address.map { "\($0)" } ?? "?")"])
    self.onListening(address?.ipAddress ?? configuration.host, address?.port ?? configuration.port)

    await withGracefulShutdownHandler {
      try? await listener.closeFuture.get()
      let drained = listener.eventLoop.flatSubmit { [registry = self.registry] in
        registry.withLockedValue { $0 }?.value.allClosed ?? listener.eventLoop.makeSucceededVoidFuture()
      }
      try? await drained.get()
    } onGracefulShutdown: { [registry = self.registry] in
      guard let bound = registry.withLockedValue({ $0 }) else { return }
      listener.eventLoop.execute { bound.value.beginShutdown() }
    }
    for upstream in self.upstreams { upstream.close() }
    self.logger.info("stopped")
  }
}

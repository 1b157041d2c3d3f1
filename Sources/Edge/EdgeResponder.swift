internal import Gateway
internal import HealthV1
internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import RPCCore
internal import RPCJSON
internal import ServiceKit

/// The edge's request logic, apart from HTTP: public endpoints, authentication, rate limits,
/// the route from the contracts, and the RPC behind it.
///
/// Everything up to the RPC runs synchronously on the connection's event loop, so a request
/// refused early (401, 404, 429…) costs no task; only a routed call waits for its upstream.
struct EdgeResponder: Sendable {
  /// The answer to a request: known at once, or once the RPC behind its route returns.
  enum Reply {
    case now(EdgeResponse)
    case later(@Sendable () async -> EdgeResponse)
  }

  /// A request that passed every check, ready to be sent upstream.
  private struct PendingCall: Sendable {
    let route: GatewayRoute
    let json: JSONValue
    let client: RPCClient
    let requestID: String
    let timeout: Duration

    /// Makes the call and answers with its JSON response or its mapped error.
    func run() async -> EdgeResponse {
      do {
        let result = try await Invoker.call(
          route: self.route,
          json: self.json,
          client: self.client,
          metadata: ["x-request-id": .string(self.requestID)],
          options: CallOptions(timeout: self.timeout)
        )
        return EdgeResponse(status: .ok, body: result)
      } catch let failure as RequestTranslator.Failure {
        return .error(status: 400, code: .invalidArgument, message: failure.description)
      } catch {
        let error = RPCError(converting: error)
        return .error(status: HTTPStatusMapping.httpStatus(for: error.code), code: error.code, message: error.message)
      }
    }
  }

  private let configuration: EdgeConfiguration
  private let router: GatewayRouter
  private let clients: [String: RPCClient]
  private let health: [(name: String, client: RPCClient)]
  private let verifier: JWTVerifier
  private let limiter: RateLimiter
  private let openAPI: [UInt8]
  private let logger: Logger

  /// - Parameters:
  ///   - configuration: Limits and secrets.
  ///   - routes: The routes, from the services' method tables.
  ///   - clients: The client for each service, by full service name.
  ///   - health: The upstreams `/readyz` checks, by name.
  ///   - logger: Where access lines go.
  init(
    configuration: EdgeConfiguration,
    routes: [GatewayRoute],
    clients: [String: RPCClient],
    health: [(name: String, client: RPCClient)],
    logger: Logger
  ) {
    self.configuration = configuration
    self.router = GatewayRouter(routes: routes)
    self.clients = clients
    self.health = health
    self.verifier = JWTVerifier(secret: configuration.jwtSecret)
    self.limiter = RateLimiter(ratePerSecond: configuration.rateLimitPerSecond, burst: configuration.rateLimitBurst)
    self.openAPI = OpenAPIDocument.build(routes: routes, title: "swift-rpc edge", version: "v1").serialized()
    self.logger = logger
  }

  /// Decides what to do with a request. `subject` receives the token's subject, for the log.
  func respond(to request: EdgeRequest, requestID: String, subject: inout String?) -> Reply {
    let path = request.path
    let method = request.method

    // Public endpoints.
    switch (method, path) {
    case ("GET", "/healthz"), ("HEAD", "/healthz"):
      return .now(EdgeResponse(status: 200, json: ["status": "ok"]))
    case ("GET", "/readyz"):
      return .later { await self.readiness() }
    case ("GET", "/openapi.json"):
      return .now(EdgeResponse(status: .ok, body: self.openAPI))
    default:
      break
    }

    // Who is calling; refused below only where authentication is required.
    var claims: JWTVerifier.Claims?
    var authenticationProblem = "missing Authorization header"
    if let authorization = request.headers.first(name: "authorization") {
      if Self.hasBearerScheme(authorization) {
        do {
          claims = try self.verifier.verify(String(authorization.dropFirst(7)))
        } catch {
          authenticationProblem = error.description
        }
      } else {
        authenticationProblem = "the Authorization header must be 'Bearer <token>'"
      }
    }
    subject = claims?.subject

    // Rate limit per token subject, else per address.
    let key = claims.map { "sub:\($0.subject ?? "")" } ?? "ip:\(request.peerIP)"
    if case .limited(let retryAfter) = self.limiter.take(key: key) {
      return .now(
        .error(
          status: 429,
          code: .resourceExhausted,
          message: "rate limit exceeded; retry after \(retryAfter) s",
          headers: [("Retry-After", String(retryAfter))]
        )
      )
    }

    guard path == "/v1" || path.hasPrefix("/v1/") else {
      return .now(.error(status: 404, code: .notFound, message: "no route for \(method) \(path)"))
    }
    guard claims != nil else {
      return .now(.error(status: 401, code: .unauthenticated, message: authenticationProblem, headers: [("WWW-Authenticate", "Bearer")]))
    }

    let route: GatewayRoute
    let bindings: [(fieldPath: [String], value: String)]
    switch self.router.match(method: method, path: path) {
    case .found(let found, let foundBindings):
      route = found
      bindings = foundBindings
    case .methodNotAllowed(let allowed):
      return .now(
        .error(status: 405, code: .unimplemented, message: "\(method) is not allowed on \(path)", headers: [("Allow", allowed.joined(separator: ", "))])
      )
    case .notFound:
      return .now(.error(status: 404, code: .notFound, message: "no route for \(method) \(path)"))
    }

    // The body: JSON, parsed (its size was bounded while it was read).
    var body: JSONValue?
    if !route.body.isEmpty, let bytes = request.body, bytes.readableBytes > 0 {
      let contentType = request.headers.first(name: "content-type") ?? ""
      let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces().lowercased() } ?? ""
      guard mediaType == "application/json" else {
        return .now(.error(status: 415, code: .invalidArgument, message: "the request body must be application/json, not '\(contentType)'"))
      }
      do {
        body = try JSONParser.parse(Array(buffer: bytes))
      } catch {
        return .now(.error(status: 400, code: .invalidArgument, message: error.description))
      }
    }

    // The deadline: the default, or less if the client asks.
    var timeout = self.configuration.defaultTimeout
    if let header = request.headers.first(name: HTTPHeaders.grpcTimeout) {
      guard let requested = GRPCTimeout(headerValue: header) else {
        return .now(.error(status: 400, code: .invalidArgument, message: "invalid Grpc-Timeout '\(header)'; expected e.g. 200m or 2S"))
      }
      timeout = min(timeout, requested.duration)
    }

    guard let client = self.clients[route.method.descriptor.service] else {
      return .now(.error(status: 501, code: .unimplemented, message: "no upstream for \(route.method.descriptor.service)"))
    }
    let json: JSONValue
    do {
      json = try RequestTranslator.requestJSON(route: route, bindings: bindings, query: request.query.map(String.init), body: body)
    } catch {
      return .now(.error(status: 400, code: .invalidArgument, message: error.description))
    }
    let call = PendingCall(route: route, json: json, client: client, requestID: requestID, timeout: timeout)
    return .later { await call.run() }
  }

  /// `/readyz`: every upstream answers its health check within the probe timeout.
  private func readiness() async -> EdgeResponse {
    let timeout = self.configuration.readinessTimeout
    let results = await withTaskGroup(of: (String, String).self) { group in
      for (name, client) in self.health {
        group.addTask {
          do {
            let response = try await Health.Client(wrapping: client).check(HealthCheckRequest(), options: CallOptions(timeout: timeout))
            return (name, response.status == .serving ? "SERVING" : "NOT_SERVING")
          } catch {
            let error = RPCError(converting: error)
            return (name, "\(error.code.name): \(error.message)")
          }
        }
      }
      return await group.reduce(into: [(String, String)]()) { $0.append($1) }.sorted { $0.0 < $1.0 }
    }
    let ready = results.allSatisfy { $0.1 == "SERVING" }
    var upstreams = JSONObject()
    for (name, status) in results { upstreams.append(name, .string(status)) }
    return EdgeResponse(status: ready ? 200 : 503, json: ["status": .string(ready ? "ready" : "not ready"), "upstreams": .object(upstreams)])
  }

  /// Whether an Authorization value starts with `Bearer ` (the scheme is case-insensitive).
  static func hasBearerScheme(_ value: String) -> Bool {
    let scheme = value.utf8.prefix(7)
    return value.utf8.count > 7 && scheme.elementsEqual("bearer ".utf8) { $0 | 0x20 == $1 }
  }

  /// One access-log line per request in ``LineLogHandler``'s format, batched with the other lines
  /// of the connection's event loop (at the logger's `info` level or below).
  func logAccess(_ request: EdgeRequest, status: HTTPResponseStatus, requestID: String, subject: String?, started: ContinuousClock.Instant) {
    guard self.logger.logLevel <= .info else { return }
    let elapsed = ContinuousClock.now - started
    let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
    LineLogHandler.writeLineBatched(
      label: self.logger.label,
      level: .info,
      message: "http",
      fields: [
        "method": request.method,
        "path": String(request.path),
        "status": String(status.code),
        "duration_ms": RequestLoggingInterceptor.milliseconds(microseconds),
        "request_id": requestID,
        "peer": request.peer,
        "sub": subject ?? "-",
      ]
    )
  }
}

extension Substring {
  fileprivate func trimmingSpaces() -> Substring {
    var result = self
    while result.first == " " { result.removeFirst() }
    while result.last == " " { result.removeLast() }
    return result
  }
}

public import Gateway
internal import HTTPTypes
internal import HealthV1
public import Hummingbird
public import Logging
internal import NIOCore
public import RPCCore
internal import RPCJSON
internal import ServiceKit

/// The edge's one responder: request ids, access log, public endpoints, authentication, rate
/// limits, body limits, then the route from the contracts and the RPC behind it.
public struct EdgeResponder: HTTPResponder {
  public typealias Context = EdgeContext

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
  public init(
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

  /// The error an edge request ends with: HTTP status, gRPC code, message, extra headers.
  struct Failure: Error {
    var status: Int
    var code: Status.Code
    var message: String
    var headers: [(HTTPField.Name, String)] = []
  }

  public func respond(to request: Request, context: EdgeContext) async throws -> Response {
    let start = ContinuousClock.now
    let requestID = request.headers[.requestID].flatMap(Self.validRequestID) ?? RequestLoggingInterceptor.newRequestID()
    var subject: String?
    var response: Response
    do {
      response = try await self.handle(request, context: context, requestID: requestID, subject: &subject)
    } catch let failure as Failure {
      response = Self.json(status: failure.status, HTTPStatusMapping.errorBody(code: failure.code, message: failure.message))
      for (name, value) in failure.headers { response.headers[name] = value }
    } catch {
      response = Self.json(status: 500, HTTPStatusMapping.errorBody(code: .internal, message: "internal error"))
      self.logger.error("unexpected error", metadata: ["error": "\(error)", "request_id": "\(requestID)"])
    }
    response.headers[.requestID] = requestID
    let elapsed = ContinuousClock.now - start
    let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    self.logger.info(
      "http",
      metadata: [
        "method": "\(request.method.rawValue)",
        "path": "\(request.uri.path)",
        "status": "\(response.status.code)",
        "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
        "request_id": "\(requestID)",
        "peer": "\(context.peer)",
        "sub": "\(subject ?? "-")",
      ]
    )
    return response
  }

  private func handle(_ request: Request, context: EdgeContext, requestID: String, subject: inout String?) async throws -> Response {
    var request = request
    let path = request.uri.path
    let method = request.method.rawValue

    // Public endpoints.
    switch (method, path) {
    case ("GET", "/healthz"), ("HEAD", "/healthz"):
      return Self.json(status: 200, ["status": "ok"])
    case ("GET", "/readyz"):
      return await self.readiness()
    case ("GET", "/openapi.json"):
      return Response(
        status: .ok,
        headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.openAPI))
      )
    default:
      break
    }

    // Who is calling; refused below only where authentication is required.
    var claims: JWTVerifier.Claims?
    var authenticationProblem = "missing Authorization header"
    if let authorization = request.headers[.authorization] {
      if authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " {
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
    let key = claims.map { "sub:\($0.subject ?? "")" } ?? "ip:\(context.peerIP)"
    if case .limited(let retryAfter) = self.limiter.take(key: key) {
      throw Failure(
        status: 429,
        code: .resourceExhausted,
        message: "rate limit exceeded; retry after \(retryAfter) s",
        headers: [(.retryAfter, String(retryAfter))]
      )
    }

    guard path == "/v1" || path.hasPrefix("/v1/") else {
      throw Failure(status: 404, code: .notFound, message: "no route for \(method) \(path)")
    }
    guard claims != nil else {
      throw Failure(status: 401, code: .unauthenticated, message: authenticationProblem, headers: [(.wwwAuthenticate, "Bearer")])
    }

    let route: GatewayRoute
    let bindings: [(fieldPath: [String], value: String)]
    switch self.router.match(method: method, path: path) {
    case .found(let found, let foundBindings):
      route = found
      bindings = foundBindings
    case .methodNotAllowed(let allowed):
      throw Failure(status: 405, code: .unimplemented, message: "\(method) is not allowed on \(path)", headers: [(.allow, allowed.joined(separator: ", "))])
    case .notFound:
      throw Failure(status: 404, code: .notFound, message: "no route for \(method) \(path)")
    }

    // The body: bounded, JSON, parsed.
    var body: JSONValue?
    let bytes: ByteBuffer
    do {
      bytes = try await request.collectBody(upTo: self.configuration.maxBodyBytes)
    } catch is NIOTooManyBytesError {
      throw Failure(status: 413, code: .resourceExhausted, message: "request body exceeds \(self.configuration.maxBodyBytes) bytes")
    }
    if !route.body.isEmpty && bytes.readableBytes > 0 {
      let contentType = request.headers[.contentType]?.lowercased() ?? ""
      let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: " ") } ?? ""
      guard mediaType == "application/json" else {
        throw Failure(status: 415, code: .invalidArgument, message: "the request body must be application/json, not '\(contentType)'")
      }
      do {
        body = try JSONParser.parse(Array(buffer: bytes))
      } catch {
        throw Failure(status: 400, code: .invalidArgument, message: error.description)
      }
    }

    // The deadline: the default, or less if the client asks.
    var timeout = self.configuration.defaultTimeout
    if let header = request.headers[.grpcTimeout] {
      guard let requested = GRPCTimeout(headerValue: header) else {
        throw Failure(status: 400, code: .invalidArgument, message: "invalid Grpc-Timeout '\(header)'; expected e.g. 200m or 2S")
      }
      timeout = min(timeout, requested.duration)
    }

    guard let client = self.clients[route.method.descriptor.service] else {
      throw Failure(status: 501, code: .unimplemented, message: "no upstream for \(route.method.descriptor.service)")
    }
    do {
      let json = try RequestTranslator.requestJSON(route: route, bindings: bindings, query: request.uri.query, body: body)
      let result = try await Invoker.call(
        route: route,
        json: json,
        client: client,
        metadata: ["x-request-id": .string(requestID)],
        options: CallOptions(timeout: timeout)
      )
      return Self.json(status: 200, result)
    } catch let failure as RequestTranslator.Failure {
      throw Failure(status: 400, code: .invalidArgument, message: failure.description)
    } catch let error as RPCError {
      throw Failure(status: HTTPStatusMapping.httpStatus(for: error.code), code: error.code, message: error.message)
    }
  }

  private func readiness() async -> Response {
    let timeout = self.configuration.readinessTimeout
    let results = await withTaskGroup(of: (String, String).self) { group in
      for (name, client) in self.health {
        group.addTask {
          do {
            let response = try await Health.Client(wrapping: client).check(HealthCheckRequest(), options: CallOptions(timeout: timeout))
            return (name, response.status == .serving ? "SERVING" : "NOT_SERVING")
          } catch let error as RPCError {
            return (name, "\(error.code.name): \(error.message)")
          } catch {
            return (name, "UNKNOWN: \(error)")
          }
        }
      }
      return await group.reduce(into: [(String, String)]()) { $0.append($1) }.sorted { $0.0 < $1.0 }
    }
    let ready = results.allSatisfy { $0.1 == "SERVING" }
    var upstreams = JSONObject()
    for (name, status) in results { upstreams.append(name, .string(status)) }
    return Self.json(status: ready ? 200 : 503, ["status": .string(ready ? "ready" : "not ready"), "upstreams": .object(upstreams)])
  }

  static func json(status: Int, _ value: JSONValue) -> Response {
    Response(
      status: HTTPResponse.Status(code: status),
      headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized()))
    )
  }

  /// An `X-Request-Id` is kept if it is printable ASCII of at most 128 characters.
  static func validRequestID(_ value: String) -> String? {
    guard !value.isEmpty, value.utf8.count <= 128, value.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else { return nil }
    return value
  }
}

extension String {
  fileprivate func trimmingCharacters(in set: Character) -> String {
    var result = Substring(self)
    while result.first == set { result.removeFirst() }
    while result.last == set { result.removeLast() }
    return String(result)
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: Character) -> String {
    String(self).trimmingCharacters(in: set)
  }
}

import Gateway
import OrderV1
import RPCCore
import RPCJSON
import Testing
import UserV1

@Suite("Gateway: templates, translation, tokens, limits")
struct GatewayTests {
  @Test("Path templates: literals, variables, nested field paths, patterns, verbs")
  func templates() throws {
    let cancel = try PathTemplate("/v1/orders/{id}:cancel")
    #expect(cancel.match("/v1/orders/o-1:cancel")?.first?.value == "o-1")
    #expect(cancel.match("/v1/orders/o-1") == nil)
    let nested = try PathTemplate("/v1/{parent.name=shelves/*}/books/{book_id}")
    let bindings = try #require(nested.match("/v1/shelves/s%201/books/b%2Fx"))
    #expect(bindings.map(\.fieldPath) == [["parent", "name"], ["book_id"]])
    #expect(bindings.map(\.value) == ["shelves/s 1", "b/x"])
    let deep = try PathTemplate("/v1/files/{path=**}")
    #expect(deep.match("/v1/files/a/b/c")?.first?.value == "a/b/c")
    #expect(try PathTemplate("/v1/users/{id}").match("/v1/users/") == nil)
    #expect(try PathTemplate("/v1/users/{id}").match("/v1/users/a/b") == nil)
    for bad in ["v1/users", "/v1//users", "/v1/{unclosed", "/v1/users/"] {
      #expect(throws: PathTemplate.ParseError.self, "\(bad)") { try PathTemplate(bad) }
    }
  }

  @Test("The router prefers literal segments and tells 404 from 405")
  func router() throws {
    let routes = try GatewayRoute.routes(from: UserService.Method.table + OrderService.Method.table)
    let router = GatewayRouter(routes: routes)
    guard case .found(let route, _) = router.match(method: "GET", path: "/v1/users/u-1/orders") else {
      Issue.record("no match")
      return
    }
    #expect(route.method.descriptor.method == "ListOrders")
    guard case .methodNotAllowed(let allowed) = router.match(method: "PATCH", path: "/v1/users") else {
      Issue.record("expected 405")
      return
    }
    #expect(Set(allowed) == ["GET", "POST"])
    guard case .notFound = router.match(method: "GET", path: "/v2/users") else {
      Issue.record("expected 404")
      return
    }
  }

  @Test("Request JSON: body, then path variables, then the query string")
  func translation() throws {
    let routes = try GatewayRoute.routes(from: OrderService.Method.table)
    let list = try #require(routes.first { $0.method.descriptor.method == "ListOrders" })
    let json = try RequestTranslator.requestJSON(
      route: list,
      bindings: [(["user_id"], "u 1")],
      query: "page_size=5&pageToken=abc%3D",
      body: nil
    )
    let request = try ListOrdersRequest(protoJSON: json, path: "")
    #expect(request == ListOrdersRequest(userId: "u 1", pageSize: 5, pageToken: "abc="))
    #expect(throws: RequestTranslator.Failure.self) {
      try RequestTranslator.requestJSON(route: list, bindings: [(["user_id"], "u")], query: "page_size=1&pageSize=2", body: nil)
    }
    #expect(throws: RequestTranslator.Failure.self) {
      try RequestTranslator.requestJSON(route: list, bindings: [(["user_id"], "u")], query: "userId=other", body: nil)
    }
    let cancel = try #require(routes.first { $0.method.descriptor.method == "CancelOrder" })
    // The path wins over a body field of the same name, in either spelling.
    let merged = try RequestTranslator.requestJSON(route: cancel, bindings: [(["id"], "from-path")], query: nil, body: ["id": "from-body"])
    #expect(try CancelOrderRequest(protoJSON: merged, path: "").id == "from-path")
  }

  @Test("JWT: HS256 only, exp required and checked, also for cached tokens")
  func tokens() throws {
    let verifier = JWTVerifier(secret: "secret")
    let token = JWTVerifier.sign(claims: ["sub": "ada", "exp": 1000], secret: "secret")
    #expect(try verifier.verify(token, now: 999).subject == "ada")
    // Cached now, and still refused once expired.
    #expect(throws: JWTVerifier.Failure.self) { try verifier.verify(token, now: 1000) }
    #expect(throws: JWTVerifier.Failure.self) {
      try verifier.verify(JWTVerifier.sign(claims: ["exp": 1000], secret: "secret", header: ["alg": "none"]), now: 1)
    }
    #expect(throws: JWTVerifier.Failure.self) {
      try verifier.verify(JWTVerifier.sign(claims: ["sub": "x"], secret: "secret"), now: 1)
    }
    #expect(throws: JWTVerifier.Failure.self) {
      try verifier.verify(JWTVerifier.sign(claims: ["exp": 1000, "nbf": 500], secret: "secret"), now: 100)
    }
    #expect(throws: JWTVerifier.Failure.self) {
      try verifier.verify(JWTVerifier.sign(claims: ["exp": 1000], secret: "other"), now: 1)
    }
  }

  @Test("Rate limit: a burst, then one token per 1/rate seconds, per key")
  func rateLimit() {
    let limiter = RateLimiter(ratePerSecond: 2, burst: 3)
    let start = ContinuousClock.now
    #expect((0..<3).map { _ in limiter.take(key: "a", now: start) } == [.allowed, .allowed, .allowed])
    #expect(limiter.take(key: "a", now: start) == .limited(retryAfterSeconds: 1))
    #expect(limiter.take(key: "b", now: start) == .allowed)
    #expect(limiter.take(key: "a", now: start + .milliseconds(600)) == .allowed)
    #expect(limiter.take(key: "a", now: start + .milliseconds(700)) == .limited(retryAfterSeconds: 1))
  }

  @Test("grpc-gateway's status table")
  func statusTable() {
    let expected: [(Status.Code, Int)] = [
      (.invalidArgument, 400), (.unauthenticated, 401), (.permissionDenied, 403), (.notFound, 404),
      (.alreadyExists, 409), (.failedPrecondition, 400), (.resourceExhausted, 429), (.unavailable, 503),
      (.deadlineExceeded, 504), (.unimplemented, 501), (.cancelled, 499), (.internal, 500), (.aborted, 409),
      (.outOfRange, 400), (.dataLoss, 500), (.unknown, 500),
    ]
    for (code, status) in expected {
      #expect(HTTPStatusMapping.httpStatus(for: code) == status, "\(code)")
    }
  }
}

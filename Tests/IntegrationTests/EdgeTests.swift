import Foundation
import Gateway
import RPCJSON
import ServiceKit
import TestSupport
import Testing

@Suite("edge: REST/JSON over the services", .serialized)
struct EdgeTests {
  @Test("Every route, end to end")
  func routes() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let created = try await edge.request("POST", "/v1/users", json: ["name": "Ada", "email": "ada@example.com"])
      #expect(created.status == 200, "\(created.text)")
      let userID = try #require(created.string("id"))
      #expect(created.string("createTime")?.hasSuffix("Z") == true)

      #expect(try await edge.request("GET", "/v1/users/\(userID)").string("email") == "ada@example.com")
      let list = try await edge.request("GET", "/v1/users?pageSize=1")
      #expect(list.status == 200)
      #expect(list.text.contains(userID))
      #expect(try await edge.request("GET", "/v1/users?page_size=1").status == 200)

      let order = try await edge.request(
        "POST",
        "/v1/orders",
        json: ["user_id": .string(userID), "items": [["sku": "BOOK", "quantity": 2, "unitPriceCents": "1250"]], "requestId": "r-1"]
      )
      #expect(order.status == 200, "\(order.text)")
      #expect(order.string("totalCents") == "2500")
      #expect(order.string("status") == "ORDER_STATUS_CREATED")
      let orderID = try #require(order.string("id"))
      #expect(try await edge.request("GET", "/v1/orders/\(orderID)").string("userId") == userID)
      let orders = try await edge.request("GET", "/v1/users/\(userID)/orders")
      #expect(orders.text.contains(orderID))
      let cancelled = try await edge.request("POST", "/v1/orders/\(orderID):cancel")
      #expect(cancelled.string("status") == "ORDER_STATUS_CANCELLED")

      let deleted = try await edge.request("DELETE", "/v1/users/\(userID)")
      #expect(deleted.status == 200)
      #expect(deleted.text == "{}")
    }
  }

  @Test("Each gRPC status maps to grpc-gateway's HTTP status, with a JSON error body")
  func errorMapping() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let invalid = try await edge.request("POST", "/v1/users", json: ["name": "", "email": "x@example.com"])
      #expect(invalid.status == 400)
      #expect(invalid.code == 3)
      #expect(invalid.string("message")?.hasPrefix("name:") == true)
      guard case .object(let body) = invalid.json else { Issue.record("no body"); return }
      #expect(body["details"] == .array([]))

      #expect(try await edge.request("GET", "/v1/users/nope").status == 404)
      #expect(try await edge.request("GET", "/v1/users/nope").code == 5)
      _ = try await edge.request("POST", "/v1/users", json: ["name": "A", "email": "dup@example.com"])
      let duplicate = try await edge.request("POST", "/v1/users", json: ["name": "B", "email": "dup@example.com"])
      #expect(duplicate.status == 409)
      #expect(duplicate.code == 6)
      let precondition = try await edge.request("POST", "/v1/orders", json: ["userId": "ghost", "items": [["sku": "A", "quantity": 1]]])
      #expect(precondition.status == 400)
      #expect(precondition.code == 9)
      let unknownRoute = try await edge.request("GET", "/v1/nothing/here")
      #expect(unknownRoute.status == 404)
      #expect(try await edge.request("GET", "/elsewhere").status == 404)
      let wrongMethod = try await edge.request("PUT", "/v1/users")
      #expect(wrongMethod.status == 405)
      #expect(wrongMethod.headers["allow"]?.contains("POST") == true)
    }
  }

  @Test("proto3 JSON on the way in: unknown fields, wrong types and bad JSON are 400s naming where")
  func badJSON() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let unknown = try await edge.request("POST", "/v1/users", json: ["name": "A", "email": "a@example.com", "nickname": "x"])
      #expect(unknown.status == 400)
      #expect(unknown.string("message")?.contains("nickname") == true)
      let wrongType = try await edge.request("POST", "/v1/orders", json: ["userId": "u", "items": [["sku": "A", "quantity": "many"]]])
      #expect(wrongType.status == 400)
      #expect(wrongType.string("message")?.contains("items[0].quantity") == true)
      let malformed = try await HTTP1Client.send(
        port: edge.edge.port, method: "POST", path: "/v1/users",
        headers: [("Authorization", "Bearer \(EdgeCluster.token())"), ("Content-Type", "application/json")],
        body: Array("{\"name\": \"A\",\n \"email\" }".utf8)
      )
      #expect(malformed.status == 400)
      #expect(malformed.string("message")?.contains("line 2") == true)
      let notObject = try await edge.request("POST", "/v1/users", json: [1, 2])
      #expect(notObject.status == 400)
    }
  }

  @Test("Authentication: only a valid, unexpired HS256 token passes")
  func authentication() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let now = Int64(Date().timeIntervalSince1970)
      let none = Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#) + "." + Base64URL.encode(#"{"sub":"x","exp":\#(now + 60)}"#) + "."
      let hs512 = JWTVerifier.sign(claims: ["sub": "x", "exp": .number(String(now + 60))], secret: EdgeCluster.secret, header: ["alg": "HS512"])
      let noExp = JWTVerifier.sign(claims: ["sub": "x"], secret: EdgeCluster.secret)
      var tampered = EdgeCluster.token(sub: "alice")
      tampered = String(tampered.dropLast(3)) + (tampered.hasSuffix("AAA") ? "BBB" : "AAA")
      let cases: [(String?, String)] = [
        (nil, "missing"),
        (EdgeCluster.token(expiresIn: -10), "expired"),
        (EdgeCluster.token(secret: "another-secret"), "wrong secret"),
        (none, "alg none"),
        (hs512, "HS512"),
        (noExp, "no exp"),
        (tampered, "tampered"),
        ("not.a.jwt", "garbage"),
      ]
      for (token, label) in cases {
        let response = try await edge.request("GET", "/v1/users", token: token)
        #expect(response.status == 401, "\(label): \(response.status) \(response.text)")
        #expect(response.code == 16, "\(label)")
        #expect(response.headers["www-authenticate"] == "Bearer", "\(label)")
      }
      let basic = try await edge.request("GET", "/v1/users", headers: [("Authorization", "Basic dXNlcjpwYXNz")], token: nil)
      #expect(basic.status == 401)
      #expect(try await edge.request("GET", "/v1/users").status == 200)
      // Public endpoints need no token.
      #expect(try await edge.request("GET", "/healthz", token: nil).status == 200)
      #expect(try await edge.request("GET", "/readyz", token: nil).status == 200)
      #expect(try await edge.request("GET", "/openapi.json", token: nil).status == 200)
    }
  }

  @Test("Limits: body size (chunked too), content type, header size")
  func limits() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let big = [UInt8]("{\"name\":\"".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: (1 << 20) + 10) + [UInt8]("\"}".utf8)
      let tooLarge = try await HTTP1Client.send(
        port: edge.edge.port, method: "POST", path: "/v1/users",
        headers: [("Authorization", "Bearer \(EdgeCluster.token())"), ("Content-Type", "application/json")], body: big
      )
      #expect(tooLarge.status == 413)
      #expect(tooLarge.code == 8)
      // The same body, chunked: no Content-Length to trust.
      var chunked: [UInt8] = []
      var offset = 0
      while offset < big.count {
        let piece = big[offset..<min(offset + 65536, big.count)]
        chunked += Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10]
        offset += piece.count
      }
      chunked += Array("0\r\n\r\n".utf8)
      let chunkedResponse = try await HTTP1Client.send(
        port: edge.edge.port, method: "POST", path: "/v1/users",
        headers: [("Authorization", "Bearer \(EdgeCluster.token())"), ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")],
        body: chunked
      )
      #expect(chunkedResponse.status == 413)

      let text = try await edge.request("POST", "/v1/users", json: ["name": "A", "email": "t@example.com"], headers: [("Content-Type", "text/plain")])
      #expect(text.status == 415)
      let charset = try await edge.request("POST", "/v1/users", json: ["name": "A", "email": "c@example.com"], headers: [("Content-Type", "application/json; charset=utf-8")])
      #expect(charset.status == 200)

      let huge = try await edge.request("GET", "/v1/users", headers: [("X-Padding", String(repeating: "p", count: 20_000))])
      #expect(huge.status == 431)
      #expect(huge.headers["x-request-id"] != nil)
      #expect(huge.code == 8)
      #expect(try await edge.request("GET", "/healthz").status == 200)
    }
  }

  @Test("Rate limit: per token subject, 429 with Retry-After")
  func rateLimit() async throws {
    try await withEdge(edgeArguments: ["--rate-limit", "1", "--rate-burst", "3"]) { (edge: EdgeCluster) async throws in
      let token = EdgeCluster.token(sub: "greedy")
      var statuses: [Int] = []
      for _ in 0..<5 { statuses.append(try await edge.request("GET", "/v1/users", token: token).status) }
      #expect(statuses.prefix(3).allSatisfy { $0 == 200 }, "\(statuses)")
      let limited = try await edge.request("GET", "/v1/users", token: token)
      #expect(limited.status == 429)
      #expect(limited.code == 8)
      #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
      // Another subject has its own bucket.
      #expect(try await edge.request("GET", "/v1/users", token: EdgeCluster.token(sub: "patient")).status == 200)
    }
  }

  @Test("A slow client loses its connection; others are served meanwhile")
  func slowClient() async throws {
    try await withEdge(edgeArguments: ["--header-timeout", "500ms", "--body-timeout", "500ms"]) { (edge: EdgeCluster) async throws in
      // Half a request head, then nothing.
      let slow = try RawHTTP2Connection(port: edge.edge.port, timeout: .seconds(3))
      try await slow.send(Array("GET /v1/users HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8))
      // A body promised and never sent.
      let stalled = try RawHTTP2Connection(port: edge.edge.port, timeout: .seconds(3))
      try await stalled.send(Array("POST /v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(EdgeCluster.token())\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{".utf8))
      #expect(try await edge.request("GET", "/healthz").status == 200)
      let start = ContinuousClock.now
      #expect(await Self.closesWithoutResponse(slow), "the slow connection should be closed")
      #expect(await Self.closesWithoutResponse(stalled), "the stalled connection should be closed")
      #expect(ContinuousClock.now - start < .seconds(2))
    }
  }

  @Test("The connection limit: past it, new connections wait until one closes")
  func connectionLimit() async throws {
    try await withEdge(edgeArguments: ["--max-connections", "2"]) { (edge: EdgeCluster) async throws in
      let first = try RawHTTP2Connection(port: edge.edge.port, timeout: .seconds(1))
      let second = try RawHTTP2Connection(port: edge.edge.port, timeout: .seconds(1))
      try await first.send(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
      try await second.send(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
      #expect(await first.receiveChunk()?.isEmpty == false)
      #expect(await second.receiveChunk()?.isEmpty == false)
      // Both slots are taken by kept-alive connections: a third is not served...
      await #expect(throws: (any Error).self) {
        try await HTTP1Client.send(port: edge.edge.port, method: "GET", path: "/healthz", timeout: .milliseconds(500))
      }
      // ...until one of them closes.
      let third = Task { try await HTTP1Client.send(port: edge.edge.port, method: "GET", path: "/healthz", timeout: .seconds(5)) }
      try await Task.sleep(for: .milliseconds(200))
      second.close()
      #expect(try await third.value.status == 200)
      first.close()
    }
  }

  @Test("X-Request-Id: kept when valid, replaced otherwise, returned always, passed to the services")
  func requestID() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let id = "edge-\(UUID().uuidString)"
      let response = try await edge.request("POST", "/v1/users", json: ["name": "T", "email": "trace@example.com"], headers: [("X-Request-Id", id)])
      #expect(response.headers["x-request-id"] == id)
      #expect(await edge.services.user.stderrContains("request_id=\(id)"))
      let tooLong = String(repeating: "x", count: 129)
      let replaced = try await edge.request("GET", "/v1/users", headers: [("X-Request-Id", tooLong)])
      #expect(replaced.headers["x-request-id"] != nil && replaced.headers["x-request-id"] != tooLong)
      let error = try await edge.request("GET", "/v1/users/missing", headers: [("X-Request-Id", "err-1")])
      #expect(error.status == 404)
      #expect(error.headers["x-request-id"] == "err-1")
      // One access line per request: UTC time to the millisecond, then key=value pairs.
      #expect(await edge.edge.stderrContains("request_id=err-1"))
      let line = try #require(edge.edge.stderr.split(separator: "\n").first { $0.contains("request_id=err-1") })
      #expect(line.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info edge: http .*/) != nil, "\(line)")
      #expect(line.contains("method=GET") && line.contains("path=/v1/users/missing") && line.contains("status=404") && line.contains("sub=tester"))
      // Generated ids are 32 hex digits and never repeat.
      let generated = Set((0..<10_000).map { _ in RequestLoggingInterceptor.newRequestID() })
      #expect(generated.count == 10_000)
      #expect(generated.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy(\.isHexDigit) })
    }
  }

  @Test("Outages: user-service down is 503 and not ready; slow is 504 at the deadline")
  func outages() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let created = try await edge.request("POST", "/v1/users", json: ["name": "O", "email": "o@example.com"])
      let userID = try #require(created.string("id"))
      // Slow: a stopped process accepts and never answers.
      kill(edge.services.user.pid, SIGSTOP)
      let start = ContinuousClock.now
      let slow = try await edge.request("GET", "/v1/users/\(userID)", headers: [("Grpc-Timeout", "300m")])
      #expect(slow.status == 504, "\(slow.text)")
      #expect(slow.code == 4)
      #expect(ContinuousClock.now - start < .milliseconds(1500))
      let slowReady = try await edge.request("GET", "/readyz", token: nil)
      #expect(slowReady.status == 503)
      kill(edge.services.user.pid, SIGCONT)

      await edge.services.user.stop(signal: SIGKILL)
      let down = try await edge.request("GET", "/v1/users/\(userID)")
      #expect(down.status == 503, "\(down.text)")
      #expect(down.code == 14)
      let notReady = try await edge.request("GET", "/readyz", token: nil)
      #expect(notReady.status == 503)
      #expect(notReady.text.contains("user-service"))
      #expect(try await edge.request("GET", "/healthz", token: nil).status == 200)
      #expect(try await edge.request("GET", "/v1/users", headers: [("Grpc-Timeout", "nonsense")]).status == 400)
    }
  }

  @Test("Access and call lines, batched per event loop: each of many concurrent requests logged exactly once, whole")
  func accessLinesUnderLoad() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let created = try await edge.request("POST", "/v1/users", json: ["name": "L", "email": "lines@example.com"])
      let userID = try #require(created.string("id"))
      // Fewer than the rate limit's burst of 100 (one request above created the user).
      let ids = (0..<90).map { "burst-\($0)-\(UUID().uuidString)" }
      try await withThrowingTaskGroup(of: Int.self) { group in
        for id in ids {
          group.addTask { try await edge.request("GET", "/v1/users/\(userID)", headers: [("X-Request-Id", id)]).status }
        }
        for try await status in group { #expect(status == 200) }
      }
      for (name, process) in [("edge", edge.edge), ("user-service", edge.services.user)] {
        // Each event loop writes its batch of lines on its own, after the answers: wait for
        // every line, not only one, before counting.
        for id in ids {
          #expect(await process.stderrContains("request_id=\(id) "), "\(name): \(id) never logged")
        }
        let lines = process.stderr.split(separator: "\n")
        for id in ids {
          let matching = lines.filter { $0.contains("request_id=\(id) ") }
          #expect(matching.count == 1, "\(name): \(id) logged \(matching.count) times")
          #expect(matching.first?.wholeMatch(of: /\d{4}-\d\d-\d\dT\S+ info \S+: (http|rpc) .*/) != nil, "\(name): \(matching)")
        }
      }
    }
  }

  @Test("/openapi.json describes every route and schema from the contracts")
  func openAPI() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let document = try await edge.request("GET", "/openapi.json", token: nil)
      guard case .object(let root) = document.json, case .object(let paths)? = root["paths"] else {
        Issue.record("not an OpenAPI document")
        return
      }
      #expect(root["openapi"] == "3.0.3")
      for path in ["/v1/users", "/v1/users/{id}", "/v1/orders", "/v1/orders/{id}", "/v1/users/{userId}/orders", "/v1/orders/{id}:cancel"] {
        #expect(paths[path] != nil, "\(path) missing")
      }
      #expect(document.text.contains("order.v1.LineItem"))
    }
  }

  /// Reads until the server closes the connection; false if a read times out first.
  static func closesWithoutResponse(_ connection: RawHTTP2Connection) async -> Bool {
    while let chunk = await connection.receiveChunk() {
      if chunk.isEmpty { return true }
    }
    return false
  }

  @Test("SIGTERM: the edge exits 0")
  func exitsCleanly() async throws {
    let edge = try await EdgeCluster()
    #expect(try await edge.request("GET", "/healthz").status == 200)
    #expect(await edge.stop() == 0)
  }

  @Test("SIGTERM: a request in flight is still answered, with Connection: close, before the edge exits 0")
  func drainsOnSIGTERM() async throws {
    let edge = try await EdgeCluster()
    let created = try await edge.request("POST", "/v1/users", json: ["name": "D", "email": "drain@example.com"])
    let userID = try #require(created.string("id"))
    kill(edge.services.user.pid, SIGSTOP)
    // A keep-alive request that waits on the stopped service.
    let port = edge.edge.port
    let request = "GET /v1/users/\(userID) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(EdgeCluster.token())\r\nGrpc-Timeout: 1S\r\n\r\n"
    let slow = Task { try await Self.rawExchange(port: port, request) }
    try await Task.sleep(for: .milliseconds(300))
    kill(edge.edge.pid, SIGTERM)
    let answered = try await slow.value
    kill(edge.services.user.pid, SIGCONT)
    #expect(answered.hasPrefix("HTTP/1.1 504 Gateway Timeout\r\n"), "\(answered)")
    #expect(answered.lowercased().contains("connection: close\r\n"))
    #expect(await edge.stop() == 0)
    // Its access line, written on an event loop just before the edge stopped, is not lost.
    #expect(await edge.edge.stderrContains("path=/v1/users/\(userID) status=504"))
  }

  @Test("HTTP/1.1 on the wire: pipelining, HEAD, Expect: 100-continue, HTTP/1.0, malformed requests")
  func wireProtocol() async throws {
    try await withEdge { (edge: EdgeCluster) async throws in
      let port = edge.edge.port
      let token = EdgeCluster.token()
      let created = try await edge.request("POST", "/v1/users", json: ["name": "W", "email": "wire@example.com"])
      let userID = try #require(created.string("id"))

      // Pipelined requests, one write: answered in order on the one connection.
      let pipelined =
        "GET /v1/users/\(userID) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nX-Request-Id: first\r\n\r\n"
        + "GET /v1/users/missing HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nX-Request-Id: second\r\n\r\n"
        + "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: third\r\nConnection: close\r\n\r\n"
      let responses = try await HTTP1Client.exchange(port: port, Array(pipelined.utf8), responses: 3)
      #expect(responses.map(\.status) == [200, 404, 200])
      #expect(responses.map { $0.headers["x-request-id"] } == ["first", "second", "third"])
      #expect(responses[0].string("id") == userID)
      #expect(responses[2].headers["connection"] == "close")

      // HEAD: the headers a GET would have, and no body.
      let head = try await Self.rawExchange(port: port, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
      #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head)")
      #expect(head.lowercased().contains("content-length: 15\r\n"))
      #expect(head.hasSuffix("\r\n\r\n"), "a HEAD answer has no body: \(head)")

      // HTTP/1.0: answered in kind, then closed.
      let old = try await Self.rawExchange(port: port, "GET /healthz HTTP/1.0\r\n\r\n")
      #expect(old.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(old)")
      #expect(old.hasSuffix(#"{"status":"ok"}"#))

      // Expect: 100-continue: the client hears "go on" before it sends the body.
      let body = Array(#"{"name":"E","email":"expect@example.com"}"#.utf8)
      let expectation =
        "POST /v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
        + "Content-Length: \(body.count)\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
      let (interim, final) = try await offload {
        let connection = try RawHTTP2Connection(port: port)
        defer { connection.close() }
        try connection.sendBlocking(Array(expectation.utf8))
        var buffer: [UInt8] = []
        let interim = try HTTP1Client.readResponse(connection, buffer: &buffer)
        try connection.sendBlocking(body)
        return (interim, try HTTP1Client.readResponse(connection, buffer: &buffer))
      }
      #expect(interim.status == 100)
      #expect(final.status == 200, "\(final.text)")
      #expect(final.string("email") == "expect@example.com")

      // Requests NIO cannot parse: a JSON 400 with a request id, and the connection closes.
      for malformed in ["GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", "HELLO\r\n\r\n", "GET /healthz HTTP/9.9\r\n\r\n"] {
        let response = try await HTTP1Client.exchange(port: port, Array(malformed.utf8))
        #expect(response.status == 400, "\(malformed.debugDescription): \(response.status) \(response.text)")
        #expect(response.code == 3)
        #expect(response.headers["x-request-id"]?.utf8.count == 32)
        #expect(response.headers["connection"] == "close")
      }
      #expect(try await edge.request("GET", "/healthz").status == 200)
    }
  }

  /// Sends a request and reads everything until the edge closes the connection.
  static func rawExchange(port: Int, _ request: String) async throws -> String {
    try await offload {
      let connection = try RawHTTP2Connection(port: port)
      defer { connection.close() }
      try connection.sendBlocking(Array(request.utf8))
      var received: [UInt8] = []
      while let chunk = connection.receiveChunkBlocking(), !chunk.isEmpty { received += chunk }
      return String(decoding: received, as: UTF8.self)
    }
  }
}

enum Base64URL {
  static func encode(_ text: String) -> String {
    Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }
}

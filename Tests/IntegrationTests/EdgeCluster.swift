import Foundation
import Gateway
import RPCJSON
import TestSupport

/// All three processes: user-service, order-service and the edge in front of them.
final class EdgeCluster: @unchecked Sendable {
  // @unchecked: the processes are replaced only by the test that owns the cluster.
  static let secret = "edge-test-secret"

  let services: ServiceCluster
  var edge: ServerProcess
  let edgeArguments: [String]

  init(edgeArguments: [String] = []) async throws {
    self.services = try await ServiceCluster()
    self.edgeArguments = edgeArguments
    self.edge = try await Self.startEdge(services: self.services, port: 0, extra: edgeArguments)
  }

  static func startEdge(services: ServiceCluster, port: Int, extra: [String]) async throws -> ServerProcess {
    try await ServerProcess(
      ServerProcess.binary("edge"),
      ["--port", String(port), "--user-addr", "127.0.0.1:\(services.user.port)", "--order-addr", "127.0.0.1:\(services.order.port)",
       "--jwt-secret", Self.secret, "--service-token", ServiceCluster.token] + extra
    )
  }

  /// A token for `sub`, valid for an hour unless said otherwise.
  static func token(sub: String = "tester", expiresIn: Int64 = 3600, secret: String = EdgeCluster.secret) -> String {
    let now = Int64(Date().timeIntervalSince1970)
    return JWTVerifier.sign(claims: ["sub": .string(sub), "exp": .number(String(now + expiresIn))], secret: secret)
  }

  /// One request to the edge with a valid token unless `token` says otherwise.
  func request(
    _ method: String,
    _ path: String,
    json: JSONValue? = nil,
    headers: [(String, String)] = [],
    token: String? = EdgeCluster.token()
  ) async throws -> HTTP1Client.Response {
    var all = headers
    if let token { all.append(("Authorization", "Bearer \(token)")) }
    var body: [UInt8]?
    if let json {
      body = json.serialized()
      if !all.contains(where: { $0.0.lowercased() == "content-type" }) { all.append(("Content-Type", "application/json")) }
    }
    return try await HTTP1Client.send(port: self.edge.port, method: method, path: path, headers: all, body: body)
  }

  func stop() async -> Int32 {
    let status = await self.edge.stop()
    _ = await self.services.stop()
    return status
  }
}

extension HTTP1Client.Response {
  /// The body as JSON.
  var json: JSONValue { (try? JSONParser.parse(self.body)) ?? .null }

  /// A string member of a JSON object body.
  func string(_ key: String) -> String? {
    if case .object(let object) = self.json, case .string(let value)? = object[key] { return value }
    return nil
  }

  /// The gRPC code of an error body.
  var code: Int? {
    if case .object(let object) = self.json, case .number(let value)? = object["code"] { return Int(value) }
    return nil
  }
}

func withEdge<T>(edgeArguments: [String] = [], _ body: (EdgeCluster) async throws -> T) async throws -> T {
  try await withStarted({ try await EdgeCluster(edgeArguments: edgeArguments) }, stop: { _ = await $0.stop() }, body)
}

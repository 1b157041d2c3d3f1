internal import Gateway
internal import NIOCore
internal import NIOHTTP1
internal import RPCCore
internal import RPCJSON
internal import ServiceKit

/// One request as the edge routes it: the head's parts and the whole, bounded body.
struct EdgeRequest: Sendable {
  var method: String
  var path: Substring
  var query: Substring?
  var headers: HTTPHeaders
  var body: ByteBuffer?
  /// The client's address, `ip:port`, or "unknown".
  var peer: String
  /// The client's IP address: the rate limit's key when there is no token.
  var peerIP: String

  init(head: HTTPRequestHead, body: ByteBuffer?, peer: (text: String, ip: String)) {
    self.method = head.method.rawValue
    let uri = head.uri
    if let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) {
      self.path = uri[..<mark]
      self.query = uri[uri.utf8.index(after: mark)...]
    } else {
      self.path = uri[...]
      self.query = nil
    }
    self.headers = head.headers
    self.body = body
    self.peer = peer.text
    self.peerIP = peer.ip
  }

  /// A connection's peer as requests name it: `ip:port` and the IP alone.
  static func describe(_ address: SocketAddress?) -> (text: String, ip: String) {
    guard let address else { return ("unknown", "unknown") }
    return ("\(address.ipAddress ?? "?"):\(address.port ?? 0)", address.ipAddress ?? "unknown")
  }
}

/// What the edge answers: always JSON, always with the request id.
struct EdgeResponse: Sendable {
  var status: HTTPResponseStatus
  var body: [UInt8]
  /// Headers beyond Content-Type, Content-Length and X-Request-Id.
  var headers: [(name: String, value: String)] = []
  /// The connection cannot carry another request (its body was left unread).
  var closesConnection = false

  init(status: Int, json: JSONValue, headers: [(name: String, value: String)] = []) {
    self.status = HTTPResponseStatus(statusCode: status)
    self.body = json.serialized()
    self.headers = headers
  }

  init(status: HTTPResponseStatus, body: [UInt8]) {
    self.status = status
    self.body = body
  }

  /// The grpc-gateway error body for a gRPC code.
  static func error(status: Int, code: Status.Code, message: String, headers: [(name: String, value: String)] = []) -> EdgeResponse {
    EdgeResponse(status: status, json: HTTPStatusMapping.errorBody(code: code, message: message), headers: headers)
  }
}

extension HTTPHeaders {
  static let requestID = "x-request-id"
  static let grpcTimeout = "grpc-timeout"

  /// The request's `X-Request-Id` if it is printable ASCII of at most 128 characters, else a new one.
  func requestID() -> String {
    if let value = self.first(name: Self.requestID), !value.isEmpty, value.utf8.count <= 128,
      value.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E })
    {
      return value
    }
    return RequestLoggingInterceptor.newRequestID()
  }
}

/// Names one RPC method: the fully qualified service and the method within it.
public struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
  /// The fully qualified service name, such as `user.v1.UserService`.
  public let service: String
  /// The method name, such as `GetUser`.
  public let method: String
  /// The HTTP/2 `:path` of the method, such as `/user.v1.UserService/GetUser`.
  public let path: String

  /// Creates a descriptor.
  /// - Parameters:
  ///   - service: The fully qualified service name.
  ///   - method: The method name.
  public init(service: String, method: String) {
    self.service = service
    self.method = method
    self.path = "/\(service)/\(method)"
  }

  /// Parses a `:path` of the form `/service/method`.
  /// - Parameter path: The request path.
  public init?(path: some StringProtocol) {
    let utf8 = path.utf8
    guard utf8.first == UInt8(ascii: "/") else { return nil }
    let rest = path.dropFirst()
    guard let slash = rest.firstIndex(of: "/") else { return nil }
    let service = rest[..<slash]
    let method = rest[rest.index(after: slash)...]
    guard !service.isEmpty, !method.isEmpty, !method.contains("/") else { return nil }
    self.init(service: String(service), method: String(method))
  }

  public var description: String { self.path }
}

/// How a method is exposed over HTTP/JSON, from its `google.api.http` annotation.
public struct HTTPRule: Sendable, Hashable {
  /// The HTTP method, upper case: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, or a custom verb.
  public var method: String
  /// The path template, such as `/v1/users/{id}`.
  public var path: String
  /// The request field the body fills: `*` for the whole request, empty for no body.
  public var body: String
  /// The response field the body carries; empty for the whole response.
  public var responseBody: String

  /// Creates a rule.
  /// - Parameters:
  ///   - method: The HTTP method.
  ///   - path: The path template.
  ///   - body: The body field, `*` or empty.
  ///   - responseBody: The response field, or empty.
  public init(method: String, path: String, body: String = "", responseBody: String = "") {
    self.method = method
    self.path = path
    self.body = body
    self.responseBody = responseBody
  }
}

/// One row of a service's method table: what the transport and the HTTP gateway need to know
/// about a method without knowing its types statically.
public struct MethodInfo: Sendable {
  /// The method.
  public let descriptor: MethodDescriptor
  /// The request message type.
  public let inputType: any RPCMessage.Type
  /// The response message type.
  public let outputType: any RPCMessage.Type
  /// The HTTP bindings from `google.api.http`, the main one first; empty if unannotated.
  public let httpRules: [HTTPRule]

  /// Creates a row.
  /// - Parameters:
  ///   - descriptor: The method.
  ///   - inputType: The request message type.
  ///   - outputType: The response message type.
  ///   - httpRules: The HTTP bindings.
  public init(
    descriptor: MethodDescriptor,
    inputType: any RPCMessage.Type,
    outputType: any RPCMessage.Type,
    httpRules: [HTTPRule]
  ) {
    self.descriptor = descriptor
    self.inputType = inputType
    self.outputType = outputType
    self.httpRules = httpRules
  }
}

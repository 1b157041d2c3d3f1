public import RPCCore
public import RPCJSON

/// One HTTP binding of one RPC method, from its `google.api.http` annotation.
public struct GatewayRoute: Sendable {
  /// `GET`, `POST`, ...
  public let httpMethod: String
  public let template: PathTemplate
  /// `*` for the whole request, a field name, or empty for no body.
  public let body: String
  /// A response field to return instead of the whole response, or empty.
  public let responseBody: String
  public let method: MethodInfo
  /// The request message type, with its JSON mapping.
  public let input: any (RPCMessage & ProtoJSONMessage).Type
  /// The response message type, with its JSON mapping.
  public let output: any (RPCMessage & ProtoJSONMessage).Type

  /// The routes of a method table: one per HTTP rule; methods without a rule are not exposed.
  /// - Throws: If a rule's template does not parse or its types lack a JSON mapping.
  public static func routes(from table: [MethodInfo]) throws -> [GatewayRoute] {
    var routes: [GatewayRoute] = []
    for method in table {
      for rule in method.httpRules {
        guard let input = method.inputType as? any (RPCMessage & ProtoJSONMessage).Type,
          let output = method.outputType as? any (RPCMessage & ProtoJSONMessage).Type
        else {
          throw PathTemplate.ParseError(description: "\(method.descriptor) has an HTTP rule but its messages have no JSON mapping")
        }
        routes.append(
          GatewayRoute(
            httpMethod: rule.method,
            template: try PathTemplate(rule.path),
            body: rule.body,
            responseBody: rule.responseBody,
            method: method,
            input: input,
            output: output
          )
        )
      }
    }
    return routes
  }
}

/// Finds the route of a request.
public struct GatewayRouter: Sendable {
  public enum Match {
    case found(GatewayRoute, bindings: [(fieldPath: [String], value: String)])
    /// The path exists with other methods.
    case methodNotAllowed(allowed: [String])
    case notFound
  }

  public let routes: [GatewayRoute]

  /// - Parameter routes: The routes; more specific templates (more literal segments) are tried
  ///   first, so `/v1/users/me` would win over `/v1/users/{id}`.
  public init(routes: [GatewayRoute]) {
    self.routes = routes.enumerated().sorted { lhs, rhs in
      let (left, right) = (lhs.element.template, rhs.element.template)
      if left.literalCount != right.literalCount { return left.literalCount > right.literalCount }
      if (left.verb != nil) != (right.verb != nil) { return left.verb != nil }
      return lhs.offset < rhs.offset
    }.map(\.element)
  }

  public func match(method: String, path: Substring) -> Match {
    guard let segments = PathTemplate.segments(of: path) else { return .notFound }
    var allowed: [String] = []
    for route in self.routes {
      guard let bindings = route.template.match(segments: segments) else { continue }
      if route.httpMethod == method { return .found(route, bindings: bindings) }
      allowed.append(route.httpMethod)
    }
    return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
  }
}

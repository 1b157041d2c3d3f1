public import RPCCore
public import RPCJSON

/// Builds the JSON form of an RPC request from an HTTP request, as grpc-gateway does: the body
/// (all of it for `body: "*"`, or one field), then path variables, then the query string for
/// the fields left.
public enum RequestTranslator {
  /// A request that cannot become an RPC request; always a 400.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
      self.description = description
    }
  }

  /// The request message's JSON.
  /// - Parameters:
  ///   - route: The matched route.
  ///   - bindings: The path variables.
  ///   - query: The raw query string, without `?`.
  ///   - body: The parsed body, or nil if there was none.
  public static func requestJSON(
    route: GatewayRoute,
    bindings: [(fieldPath: [String], value: String)],
    query: String?,
    body: JSONValue?
  ) throws(Failure) -> JSONValue {
    var object = JSONObject()
    if !route.body.isEmpty, let body {
      if route.body == "*" {
        guard case .object(let members) = body else {
          throw Failure("the request body must be a JSON object, not \(body.kind)")
        }
        object = members
      } else {
        object.append(route.body, body)
      }
    }
    let schema = route.input.protoJSONSchema
    for (fieldPath, value) in bindings {
      Self.set(&object, path: fieldPath[...], value: .string(value))
    }
    if let query, !query.isEmpty, route.body != "*" {
      var values: [(path: [String], value: String)] = []
      for pair in query.split(separator: "&") where !pair.isEmpty {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let key = percentDecode(parts[0], plusAsSpace: true)
        let value = parts.count == 2 ? percentDecode(parts[1], plusAsSpace: true) : ""
        let path = key.split(separator: ".").map(String.init)
        guard !path.isEmpty, !path.contains(where: \.isEmpty) else { throw Failure("invalid query parameter '\(key)'") }
        // Fields bound by the path or the body are not taken from the query.
        if bindings.contains(where: { Self.sameField($0.fieldPath, path) }) || (!route.body.isEmpty && Self.sameField([route.body], [path[0]])) {
          throw Failure("query parameter '\(key)' names a field already bound by the path or the body")
        }
        values.append((path, value))
      }
      var grouped: [(path: [String], values: [String])] = []
      for (path, value) in values {
        if let index = grouped.firstIndex(where: { Self.sameField($0.path, path) }) {
          grouped[index].values.append(value)
        } else {
          grouped.append((path, [value]))
        }
      }
      for (path, values) in grouped {
        let repeated = Self.isRepeated(path, in: schema)
        if !repeated && values.count > 1 {
          throw Failure("query parameter '\(path.joined(separator: "."))' is given \(values.count) times but is not repeated")
        }
        Self.set(&object, path: path[...], value: repeated ? .array(values.map { .string($0) }) : .string(values[0]))
      }
    }
    return .object(object)
  }

  /// `pageSize` and `page_size` name the same field.
  static func sameField(_ lhs: [String], _ rhs: [String]) -> Bool {
    lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { Self.jsonName($0) == Self.jsonName($1) }
  }

  static func jsonName(_ name: String) -> String {
    var result = ""
    var upper = false
    for character in name {
      if character == "_" {
        upper = true
      } else {
        result += upper ? character.uppercased() : String(character)
        upper = false
      }
    }
    return result
  }

  /// Sets a nested field, replacing any spelling of it already there.
  private static func set(_ object: inout JSONObject, path: ArraySlice<String>, value: JSONValue) {
    guard let first = path.first else { return }
    let key = Self.jsonName(first)
    object.members.removeAll { Self.jsonName($0.key) == key && path.count == 1 }
    if path.count == 1 {
      object.append(key, value)
      return
    }
    let existingIndex = object.members.firstIndex { Self.jsonName($0.key) == key }
    var nested = JSONObject()
    if let existingIndex, case .object(let existing) = object.members[existingIndex].value { nested = existing }
    Self.set(&nested, path: path.dropFirst(), value: value)
    if let existingIndex {
      object.members[existingIndex].value = .object(nested)
    } else {
      object.append(key, .object(nested))
    }
  }

  /// Whether the field at `path` is repeated, according to the request's schema.
  private static func isRepeated(_ path: [String], in schema: JSONValue) -> Bool {
    guard path.count == 1, case .object(let object) = schema, case .object(let properties)? = object["properties"],
      case .object(let property)? = properties[Self.jsonName(path[0])]
    else { return false }
    return property["type"] == .string("array")
  }
}

/// gRPC status → HTTP status, the table grpc-gateway uses (`runtime.HTTPStatusFromCode`).
public enum HTTPStatusMapping {
  public static func httpStatus(for code: Status.Code) -> Int {
    switch code {
    case .ok: 200
    case .cancelled: 499
    case .unknown: 500
    case .invalidArgument: 400
    case .deadlineExceeded: 504
    case .notFound: 404
    case .alreadyExists: 409
    case .permissionDenied: 403
    case .unauthenticated: 401
    case .resourceExhausted: 429
    case .failedPrecondition: 400
    case .aborted: 409
    case .outOfRange: 400
    case .unimplemented: 501
    case .internal: 500
    case .unavailable: 503
    case .dataLoss: 500
    default: 500
    }
  }

  /// The JSON error body: `{"code": <gRPC code>, "message": "...", "details": []}`.
  public static func errorBody(code: Status.Code, message: String) -> JSONValue {
    ["code": .number(String(code.rawValue)), "message": .string(message), "details": []]
  }
}

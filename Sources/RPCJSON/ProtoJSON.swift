internal import RPCProtobufC
internal import RPCCore

#if canImport(Glibc)
import Glibc
#endif

/// Why a JSON value does not map to a message (proto3 JSON mapping).
public struct ProtoJSONError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Where, as a field path such as `items[0].quantity`; empty for the whole message.
  public let path: String
  /// What is wrong.
  public let reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { self.path.isEmpty ? self.reason : "field \(self.path): \(self.reason)" }
}

/// A message with the proto3 JSON mapping; generated types conform.
public protocol ProtoJSONMessage: Sendable {
  /// Decodes from JSON: both the lowerCamelCase and the original field names are accepted,
  /// unknown fields are an error.
  init(protoJSON json: JSONValue, path: String) throws(ProtoJSONError)
  /// Encodes to JSON: lowerCamelCase names, default values left out.
  func protoJSON() -> JSONValue
  /// Writes the same JSON as ``protoJSON()`` straight to `output`. Generated messages write
  /// field by field; the default goes through the tree.
  func writeProtoJSON(to output: inout JSONOutput)
  /// The OpenAPI 3 schema of the JSON form.
  static var protoJSONSchema: JSONValue { get }
  /// The schema's name in `components/schemas`: the message's full proto name.
  static var protoJSONSchemaName: String { get }
  /// Adds this message's schema and those of the messages it refers to, once each.
  static func collectProtoJSONSchemas(into schemas: inout [String: JSONValue])
}

extension ProtoJSONMessage {
  public func writeProtoJSON(to output: inout JSONOutput) {
    output.value(self.protoJSON())
  }

  /// The compact JSON text of ``protoJSON()``, written without building the tree where the
  /// message writes itself.
  public func protoJSONBytes() -> [UInt8] {
    var output = JSONOutput()
    self.writeProtoJSON(to: &output)
    return output.bytes
  }

  /// The schemas of this message and every message it refers to, by name.
  public static var protoJSONSchemas: [String: JSONValue] {
    var schemas: [String: JSONValue] = [:]
    Self.collectProtoJSONSchemas(into: &schemas)
    return schemas
  }

  /// A message that refers to no other message adds only itself.
  public static func collectProtoJSONSchemas(into schemas: inout [String: JSONValue]) {
    schemas[Self.protoJSONSchemaName] = Self.protoJSONSchema
  }
}

/// An enum with the proto3 JSON mapping: names out, names or numbers in.
public protocol ProtoJSONEnum: Sendable, Equatable {
  init(rawValue: Int32)
  var rawValue: Int32 { get }
  static var protoNames: [Int32: String] { get }
}

/// Helpers generated code calls, one per field kind.
public enum ProtoJSON {
  // MARK: Paths

  public static func path(_ parent: String, _ key: String) -> String {
    parent.isEmpty ? key : "\(parent).\(key)"
  }

  public static func path(_ parent: String, index: Int) -> String {
    "\(parent)[\(index)]"
  }

  // MARK: Objects

  /// The members of an object, each field at most once under either of its names.
  public struct ObjectReader {
    private let members: [JSONObject.Member]
    private var position = 0
    private var seen: Set<Int> = []
    public let path: String
    private let typeName: String

    public init(_ json: JSONValue, path: String, typeName: String) throws(ProtoJSONError) {
      guard case .object(let object) = json else {
        throw ProtoJSONError(path: path, reason: "expected an object for \(typeName), got \(json.kind)")
      }
      self.members = object.members
      self.path = path
      self.typeName = typeName
    }

    /// The next member, or nil at the end.
    public mutating func next() -> (key: String, value: JSONValue)? {
      guard self.position < self.members.count else { return nil }
      defer { self.position += 1 }
      return (self.members[self.position].key, self.members[self.position].value)
    }

    /// Records that field `number` was given; a second time is an error.
    public mutating func claim(_ number: Int, key: String) throws(ProtoJSONError) {
      guard self.seen.insert(number).inserted else {
        throw ProtoJSONError(path: ProtoJSON.path(self.path, key), reason: "given more than once")
      }
    }

    /// The error for a member that is no field of the message.
    public func unknown(_ key: String) -> ProtoJSONError {
      ProtoJSONError(path: ProtoJSON.path(self.path, key), reason: "unknown field of \(self.typeName)")
    }
  }

  // MARK: Scalars in

  private static func integerText(_ json: JSONValue, path: String) throws(ProtoJSONError) -> String {
    switch json {
    case .number(let text): return text
    case .string(let text):
      // proto3 JSON accepts integers as strings; the text must be a JSON number itself.
      guard let first = text.utf8.first, first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")),
        !text.contains(" ")
      else {
        throw ProtoJSONError(path: path, reason: "expected an integer, got \"\(text)\"")
      }
      return text
    default:
      throw ProtoJSONError(path: path, reason: "expected an integer, got \(json.kind)")
    }
  }

  /// An integer field of any width: a JSON number or a string holding one, integral, in range.
  public static func integer<T: FixedWidthInteger>(_ json: JSONValue, _ type: T.Type, path: String) throws(ProtoJSONError) -> T {
    let text = try Self.integerText(json, path: path)
    if let value = T(text) { return value }
    if let double = Double(text) {
      // 1e3 and 5.0 are integers too.
      if double.isFinite, double.rounded() == double, let value = T(exactly: double) { return value }
      throw ProtoJSONError(path: path, reason: "\(text) is not an integer in the range of \(T.self)")
    }
    throw ProtoJSONError(path: path, reason: "expected an integer, got \"\(text)\"")
  }

  public static func double(_ json: JSONValue, path: String) throws(ProtoJSONError) -> Double {
    switch json {
    case .number(let text):
      guard let value = Double(text), value.isFinite else { throw ProtoJSONError(path: path, reason: "\(text) is out of range") }
      return value
    case .string("NaN"): return .nan
    case .string("Infinity"): return .infinity
    case .string("-Infinity"): return -.infinity
    case .string(let text):
      guard let value = Double(text), value.isFinite, !text.contains(" ") else {
        throw ProtoJSONError(path: path, reason: "expected a number, got \"\(text)\"")
      }
      return value
    default:
      throw ProtoJSONError(path: path, reason: "expected a number, got \(json.kind)")
    }
  }

  public static func float(_ json: JSONValue, path: String) throws(ProtoJSONError) -> Float {
    let value = try Self.double(json, path: path)
    guard value.isNaN || value.isInfinite || abs(value) <= Double(Float.greatestFiniteMagnitude) else {
      throw ProtoJSONError(path: path, reason: "\(value) is out of range for a float")
    }
    return Float(value)
  }

  /// `true` or `false`; the strings "true" and "false" too, as they arrive from query strings.
  public static func bool(_ json: JSONValue, path: String) throws(ProtoJSONError) -> Bool {
    switch json {
    case .bool(let value): return value
    case .string("true"): return true
    case .string("false"): return false
    default: throw ProtoJSONError(path: path, reason: "expected true or false, got \(json.kind)")
    }
  }

  public static func string(_ json: JSONValue, path: String) throws(ProtoJSONError) -> String {
    guard case .string(let value) = json else { throw ProtoJSONError(path: path, reason: "expected a string, got \(json.kind)") }
    guard !value.utf8.contains(0) else { throw ProtoJSONError(path: path, reason: "must not contain U+0000") }
    return value
  }

  /// Base64, standard or URL-safe, padded or not.
  public static func bytes(_ json: JSONValue, path: String) throws(ProtoJSONError) -> [UInt8] {
    guard case .string(let text) = json else { throw ProtoJSONError(path: path, reason: "expected base64 text, got \(json.kind)") }
    guard let bytes = Base64.decode(text) else { throw ProtoJSONError(path: path, reason: "is not valid base64") }
    return bytes
  }

  /// An enum: its value name, or its number.
  public static func enumeration<E: ProtoJSONEnum>(_ json: JSONValue, _ type: E.Type, path: String) throws(ProtoJSONError) -> E {
    switch json {
    case .string(let name):
      guard let number = E.protoNames.first(where: { $0.value == name })?.key else {
        let known = E.protoNames.sorted { $0.key < $1.key }.map(\.value).joined(separator: ", ")
        throw ProtoJSONError(path: path, reason: "unknown value \"\(name)\"; expected one of \(known)")
      }
      return E(rawValue: number)
    case .number:
      return E(rawValue: try Self.integer(json, Int32.self, path: path))
    default:
      throw ProtoJSONError(path: path, reason: "expected an enum name or number, got \(json.kind)")
    }
  }

  public static func message<M: ProtoJSONMessage>(_ json: JSONValue, _ type: M.Type, path: String) throws(ProtoJSONError) -> M {
    try M(protoJSON: json, path: path)
  }

  /// A repeated field: an array, each element decoded by `element`.
  public static func array<T>(
    _ json: JSONValue,
    path: String,
    _ element: (JSONValue, String) throws(ProtoJSONError) -> T
  ) throws(ProtoJSONError) -> [T] {
    guard case .array(let values) = json else { throw ProtoJSONError(path: path, reason: "expected an array, got \(json.kind)") }
    var result: [T] = []
    result.reserveCapacity(values.count)
    for (index, value) in values.enumerated() {
      let elementPath = Self.path(path, index: index)
      if case .null = value { throw ProtoJSONError(path: elementPath, reason: "null is not allowed in a repeated field") }
      result.append(try element(value, elementPath))
    }
    return result
  }

  /// A map field: an object, keys converted by `key`, values by `value`.
  public static func map<K: Hashable, V>(
    _ json: JSONValue,
    path: String,
    key: (String, String) throws(ProtoJSONError) -> K,
    value: (JSONValue, String) throws(ProtoJSONError) -> V
  ) throws(ProtoJSONError) -> [K: V] {
    guard case .object(let object) = json else { throw ProtoJSONError(path: path, reason: "expected an object, got \(json.kind)") }
    var result: [K: V] = [:]
    for member in object.members {
      let memberPath = "\(path)[\"\(member.key)\"]"
      let converted = try key(member.key, memberPath)
      guard result[converted] == nil else { throw ProtoJSONError(path: memberPath, reason: "key given more than once") }
      result[converted] = try value(member.value, memberPath)
    }
    return result
  }

  /// A map key from its JSON text.
  public static func mapKey<T: FixedWidthInteger>(_ text: String, _ type: T.Type, path: String) throws(ProtoJSONError) -> T {
    guard let value = T(text) else { throw ProtoJSONError(path: path, reason: "map key \"\(text)\" is not a \(T.self)") }
    return value
  }

  public static func boolMapKey(_ text: String, path: String) throws(ProtoJSONError) -> Bool {
    switch text {
    case "true": return true
    case "false": return false
    default: throw ProtoJSONError(path: path, reason: "map key \"\(text)\" is not true or false")
    }
  }

  // MARK: Scalars out

  public static func json<T: FixedWidthInteger>(_ value: T) -> JSONValue {
    // 64-bit integers are strings: JavaScript numbers cannot hold them exactly.
    T.bitWidth > 32 ? .string(String(value)) : .number(String(value))
  }

  public static func json(_ value: Double) -> JSONValue {
    if value.isNaN { return .string("NaN") }
    if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
    if value.rounded() == value && abs(value) < 1e15 { return .number(String(Int64(value))) }
    return .number("\(value)")
  }

  public static func json(_ value: Float) -> JSONValue {
    if value.isNaN { return .string("NaN") }
    if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
    if value.rounded() == value && abs(value) < 1e7 { return .number(String(Int64(value))) }
    return .number("\(value)")
  }

  public static func json(_ value: Bool) -> JSONValue { .bool(value) }
  public static func json(_ value: String) -> JSONValue { .string(value) }
  public static func json(bytes value: [UInt8]) -> JSONValue { .string(Base64.encode(value)) }

  public static func json<E: ProtoJSONEnum>(enumeration value: E) -> JSONValue {
    E.protoNames[value.rawValue].map { .string($0) } ?? .number(String(value.rawValue))
  }
}

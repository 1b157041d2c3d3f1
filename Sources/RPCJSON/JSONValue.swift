/// A parsed JSON document, keeping what proto3 JSON needs: number text as written (so 64-bit
/// integers keep their precision) and object members in order.
public enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  /// The number's text as it appeared, already validated as JSON number syntax.
  case number(String)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)

  /// A short name of the value's kind, for messages.
  public var kind: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}

/// A JSON object: members in order.
public struct JSONObject: Sendable, Hashable {
  public struct Member: Sendable, Hashable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
      self.key = key
      self.value = value
    }
  }

  public var members: [Member]

  public init(_ members: [Member] = []) {
    self.members = members
  }

  /// An empty object with room for `capacity` members, so that filling it allocates once.
  /// - Parameter capacity: The most members expected.
  public init(capacity: Int) {
    self.members = []
    self.members.reserveCapacity(capacity)
  }

  /// The value of the first member named `key`.
  public subscript(key: String) -> JSONValue? {
    get { self.members.first { $0.key == key }?.value }
    set {
      if let index = self.members.firstIndex(where: { $0.key == key }) {
        if let newValue { self.members[index].value = newValue } else { self.members.remove(at: index) }
      } else if let newValue {
        self.members.append(Member(key: key, value: newValue))
      }
    }
  }

  /// Appends a member.
  public mutating func append(_ key: String, _ value: JSONValue) {
    self.members.append(Member(key: key, value: value))
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int64) { self = .number(String(value)) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  public init(nilLiteral: ()) { self = .null }
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(JSONObject(elements.map { JSONObject.Member(key: $0.0, value: $0.1) }))
  }
}

/// Key-value pairs sent with a call: request headers, response headers and trailers.
///
/// Keys are lowercase ASCII. A key ending in `-bin` holds binary values, which travel base64
/// encoded; every other key holds printable ASCII text. Order is kept and a key may repeat.
public struct Metadata: Sendable, Hashable {
  /// One metadata value.
  public enum Value: Sendable, Hashable {
    case string(String)
    case binary([UInt8])
  }

  /// One key-value pair.
  public struct Entry: Sendable, Hashable {
    public var key: String
    public var value: Value
  }

  private var entries: [Entry]

  /// Creates empty metadata.
  public init() {
    self.entries = []
  }

  /// The number of entries.
  public var count: Int { self.entries.count }

  /// Whether there are no entries.
  public var isEmpty: Bool { self.entries.isEmpty }

  /// Appends a text value.
  /// - Parameters:
  ///   - value: Printable ASCII text.
  ///   - key: The key; lowercased.
  public mutating func addString(_ value: String, forKey key: String) {
    self.entries.append(Entry(key: key.lowercased(), value: .string(value)))
  }

  /// Appends a binary value; the key should end in `-bin`.
  /// - Parameters:
  ///   - value: The bytes.
  ///   - key: The key; lowercased.
  public mutating func addBinary(_ value: [UInt8], forKey key: String) {
    self.entries.append(Entry(key: key.lowercased(), value: .binary(value)))
  }

  /// Replaces every value of `key` with one text value.
  /// - Parameters:
  ///   - value: Printable ASCII text.
  ///   - key: The key; lowercased.
  public mutating func replaceOrAddString(_ value: String, forKey key: String) {
    self.removeAllValues(forKey: key)
    self.addString(value, forKey: key)
  }

  /// Removes every value of `key`.
  /// - Parameter key: The key, compared case-insensitively.
  public mutating func removeAllValues(forKey key: String) {
    let key = key.lowercased()
    self.entries.removeAll { $0.key == key }
  }

  /// The text values of `key`, in order.
  /// - Parameter key: The key, compared case-insensitively.
  public subscript(stringValues key: String) -> [String] {
    let key = key.lowercased()
    return self.entries.compactMap { entry in
      guard entry.key == key, case .string(let value) = entry.value else { return nil }
      return value
    }
  }

  /// The binary values of `key`, in order.
  /// - Parameter key: The key, compared case-insensitively.
  public subscript(binaryValues key: String) -> [[UInt8]] {
    let key = key.lowercased()
    return self.entries.compactMap { entry in
      guard entry.key == key, case .binary(let value) = entry.value else { return nil }
      return value
    }
  }

  /// The first text value of `key`, if any.
  /// - Parameter key: The key, compared case-insensitively.
  public func firstString(forKey key: String) -> String? {
    self[stringValues: key].first
  }

  /// Whether `key` has any value.
  /// - Parameter key: The key, compared case-insensitively.
  public func contains(key: String) -> Bool {
    let key = key.lowercased()
    return self.entries.contains { $0.key == key }
  }

  /// Appends every entry of `other`.
  /// - Parameter other: The metadata to append.
  public mutating func add(contentsOf other: Metadata) {
    self.entries.append(contentsOf: other.entries)
  }
}

extension Metadata: RandomAccessCollection {
  public var startIndex: Int { self.entries.startIndex }
  public var endIndex: Int { self.entries.endIndex }
  public subscript(position: Int) -> Entry { self.entries[position] }
}

extension Metadata: ExpressibleByDictionaryLiteral {
  /// Creates metadata from a literal such as `["x-request-id": "abc"]`.
  public init(dictionaryLiteral elements: (String, Value)...) {
    self.entries = elements.map { Entry(key: $0.0.lowercased(), value: $0.1) }
  }
}

extension Metadata.Value: ExpressibleByStringLiteral {
  /// A text value from a literal.
  public init(stringLiteral value: String) {
    self = .string(value)
  }
}

extension Metadata {
  /// Whether a key names binary values (`-bin` suffix).
  /// - Parameter key: A lowercase key.
  public static func isBinaryKey(_ key: String) -> Bool {
    key.hasSuffix("-bin")
  }

  /// Whether a key is reserved by the gRPC protocol and so is never user metadata.
  /// - Parameter key: A lowercase key.
  public static func isReservedKey(_ key: String) -> Bool {
    if key.hasPrefix(":") || key.hasPrefix("grpc-") { return true }
    switch key {
    case "content-type", "te", "user-agent", "content-length", "connection", "host",
      "transfer-encoding", "keep-alive", "upgrade", "proxy-connection":
      return true
    default:
      return false
    }
  }

  /// Whether `key` is a valid metadata key: lowercase letters, digits, `-`, `_`, `.`.
  /// - Parameter key: The key to check.
  public static func isValidKey(_ key: String) -> Bool {
    !key.isEmpty
      && key.utf8.allSatisfy { byte in
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
          || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
          || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
      }
  }

  /// Whether `value` may travel as a text value: printable ASCII (0x20-0x7E).
  /// - Parameter value: The value to check.
  public static func isValidTextValue(_ value: String) -> Bool {
    value.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
  }
}

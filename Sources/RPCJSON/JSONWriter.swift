extension JSONValue {
  /// The compact JSON text of the value.
  public func serialized() -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(256)
    Self.write(self, to: &output)
    return output
  }

  /// The compact JSON text of the value, as a string.
  public var jsonText: String { String(decoding: self.serialized(), as: UTF8.self) }

  static func write(_ value: JSONValue, to output: inout [UInt8]) {
    switch value {
    case .null: output.append(contentsOf: "null".utf8)
    case .bool(let bool): output.append(contentsOf: (bool ? "true" : "false").utf8)
    case .number(let text): output.append(contentsOf: text.utf8)
    case .string(let string): Self.writeString(string, to: &output)
    case .array(let array):
      output.append(UInt8(ascii: "["))
      for (index, element) in array.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        Self.write(element, to: &output)
      }
      output.append(UInt8(ascii: "]"))
    case .object(let object):
      output.append(UInt8(ascii: "{"))
      for (index, member) in object.members.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        Self.writeString(member.key, to: &output)
        output.append(UInt8(ascii: ":"))
        Self.write(member.value, to: &output)
      }
      output.append(UInt8(ascii: "}"))
    }
  }

  private static let hex = Array("0123456789abcdef".utf8)

  static func writeString(_ string: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    for byte in string.utf8 {
      switch byte {
      case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
      case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      case 0x00..<0x20:
        output.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
        output.append(Self.hex[Int(byte >> 4)])
        output.append(Self.hex[Int(byte & 0xF)])
      default: output.append(byte)
      }
    }
    output.append(UInt8(ascii: "\""))
  }
}

/// Compact JSON written straight to bytes as a message walks its fields, without building a
/// ``JSONValue`` tree first; the edge writes every response this way. The text is the same as
/// `protoJSON().serialized()`.
public struct JSONOutput: Sendable {
  /// The text so far.
  public private(set) var bytes: [UInt8]
  /// No member or element yet in the innermost object or array, or a key was just written: the
  /// next value needs no comma.
  private var atStart = true

  /// - Parameter capacity: Bytes to reserve.
  public init(capacity: Int = 256) {
    self.bytes = []
    self.bytes.reserveCapacity(capacity)
  }

  private mutating func separate() {
    if !self.atStart { self.bytes.append(UInt8(ascii: ",")) }
    self.atStart = false
  }

  private mutating func open(_ bracket: Unicode.Scalar) {
    self.separate()
    self.bytes.append(UInt8(ascii: bracket))
    self.atStart = true
  }

  private mutating func close(_ bracket: Unicode.Scalar) {
    self.bytes.append(UInt8(ascii: bracket))
    self.atStart = false
  }

  /// Opens an object (as a value: after a key, in an array, or at the top).
  public mutating func beginObject() { self.open("{") }

  /// Closes the innermost object.
  public mutating func endObject() { self.close("}") }

  /// Opens an array.
  public mutating func beginArray() { self.open("[") }

  /// Closes the innermost array.
  public mutating func endArray() { self.close("]") }

  /// Writes a member's key; its value follows.
  /// - Parameter name: The key.
  public mutating func key(_ name: String) {
    self.separate()
    JSONValue.writeString(name, to: &self.bytes)
    self.bytes.append(UInt8(ascii: ":"))
    self.atStart = true
  }

  /// Writes a value.
  /// - Parameter value: A tree, for the values that are not messages.
  public mutating func value(_ value: JSONValue) {
    self.separate()
    JSONValue.write(value, to: &self.bytes)
  }
}

/// Why text is not JSON: what was expected, and where.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
  public let message: String
  public let offset: Int
  public let line: Int
  public let column: Int

  public var description: String { "malformed JSON at line \(self.line), column \(self.column): \(self.message)" }
}

/// A strict RFC 8259 parser with a nesting limit, producing ``JSONValue``.
public struct JSONParser {
  private let bytes: [UInt8]
  private var index = 0
  private let maxDepth: Int

  /// Parses a complete document.
  /// - Parameters:
  ///   - bytes: UTF-8 text.
  ///   - maxDepth: The deepest nesting of arrays and objects accepted.
  public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONSyntaxError) -> JSONValue {
    var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
    parser.skipWhitespace()
    let value = try parser.parseValue(depth: 0)
    parser.skipWhitespace()
    guard parser.index == bytes.count else { throw parser.error("unexpected text after the end of the document") }
    return value
  }

  private init(bytes: [UInt8], maxDepth: Int) {
    self.bytes = bytes
    self.maxDepth = maxDepth
  }

  private func error(_ message: String) -> JSONSyntaxError {
    var line = 1
    var column = 1
    for byte in self.bytes[..<min(self.index, self.bytes.count)] {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return JSONSyntaxError(message: message, offset: self.index, line: line, column: column)
  }

  private mutating func skipWhitespace() {
    while self.index < self.bytes.count {
      switch self.bytes[self.index] {
      case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
      default: return
      }
    }
  }

  private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    guard self.index < self.bytes.count else { throw self.error("unexpected end of input, expected a value") }
    switch self.bytes[self.index] {
    case UInt8(ascii: "{"):
      guard depth < self.maxDepth else { throw self.error("nested deeper than \(self.maxDepth) levels") }
      return try self.parseObject(depth: depth + 1)
    case UInt8(ascii: "["):
      guard depth < self.maxDepth else { throw self.error("nested deeper than \(self.maxDepth) levels") }
      return try self.parseArray(depth: depth + 1)
    case UInt8(ascii: "\""):
      return .string(try self.parseString())
    case UInt8(ascii: "t"):
      try self.expectLiteral("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try self.expectLiteral("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try self.expectLiteral("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return .number(try self.parseNumber())
    default:
      throw self.error("unexpected character '\(Self.printable(self.bytes[self.index]))', expected a value")
    }
  }

  private static func printable(_ byte: UInt8) -> String {
    byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
  }

  private mutating func expectLiteral(_ literal: String) throws(JSONSyntaxError) {
    let expected = literal.utf8
    let count = expected.count
    guard self.index + count <= self.bytes.count, self.bytes[self.index..<(self.index + count)].elementsEqual(expected) else {
      throw self.error("invalid literal, expected \(literal)")
    }
    self.index += count
  }

  private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    self.index += 1
    var object = JSONObject()
    self.skipWhitespace()
    if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "}") {
      self.index += 1
      return .object(object)
    }
    while true {
      self.skipWhitespace()
      guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else {
        throw self.error("expected a member name in double quotes")
      }
      let key = try self.parseString()
      self.skipWhitespace()
      guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ":") else {
        throw self.error("expected ':' after member name \"\(key)\"")
      }
      self.index += 1
      self.skipWhitespace()
      object.append(key, try self.parseValue(depth: depth))
      self.skipWhitespace()
      guard self.index < self.bytes.count else { throw self.error("unexpected end of input in an object") }
      switch self.bytes[self.index] {
      case UInt8(ascii: ","): self.index += 1
      case UInt8(ascii: "}"):
        self.index += 1
        return .object(object)
      default: throw self.error("expected ',' or '}' in an object")
      }
    }
  }

  private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    self.index += 1
    var array: [JSONValue] = []
    self.skipWhitespace()
    if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "]") {
      self.index += 1
      return .array(array)
    }
    while true {
      self.skipWhitespace()
      array.append(try self.parseValue(depth: depth))
      self.skipWhitespace()
      guard self.index < self.bytes.count else { throw self.error("unexpected end of input in an array") }
      switch self.bytes[self.index] {
      case UInt8(ascii: ","): self.index += 1
      case UInt8(ascii: "]"):
        self.index += 1
        return .array(array)
      default: throw self.error("expected ',' or ']' in an array")
      }
    }
  }

  private mutating func parseNumber() throws(JSONSyntaxError) -> String {
    let start = self.index
    if self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
    guard self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) else { throw self.error("invalid number") }
    if self.bytes[self.index] == UInt8(ascii: "0") {
      self.index += 1
    } else {
      while self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) { self.index += 1 }
    }
    if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
      self.index += 1
      guard self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) else { throw self.error("invalid number: digits must follow '.'") }
      while self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) { self.index += 1 }
    }
    if self.index < self.bytes.count, self.bytes[self.index] | 0x20 == UInt8(ascii: "e") {
      self.index += 1
      if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-") {
        self.index += 1
      }
      guard self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) else { throw self.error("invalid number: digits must follow the exponent") }
      while self.index < self.bytes.count, Self.isDigit(self.bytes[self.index]) { self.index += 1 }
    }
    return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
  }

  private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

  private mutating func parseString() throws(JSONSyntaxError) -> String {
    self.index += 1
    var output: [UInt8] = []
    while true {
      guard self.index < self.bytes.count else { throw self.error("unterminated string") }
      let byte = self.bytes[self.index]
      switch byte {
      case UInt8(ascii: "\""):
        self.index += 1
        guard let string = String(validating: output, as: UTF8.self) else {
          throw self.error("string is not valid UTF-8")
        }
        return string
      case UInt8(ascii: "\\"):
        self.index += 1
        guard self.index < self.bytes.count else { throw self.error("unterminated escape") }
        let escape = self.bytes[self.index]
        self.index += 1
        switch escape {
        case UInt8(ascii: "\""): output.append(0x22)
        case UInt8(ascii: "\\"): output.append(0x5C)
        case UInt8(ascii: "/"): output.append(0x2F)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try self.parseHex4()
          if (0xD800...0xDBFF).contains(scalar) {
            guard self.index + 1 < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\\"), self.bytes[self.index + 1] == UInt8(ascii: "u") else {
              throw self.error("unpaired surrogate in \\u escape")
            }
            self.index += 2
            let low = try self.parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw self.error("invalid surrogate pair in \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00...0xDFFF).contains(scalar) {
            throw self.error("unpaired surrogate in \\u escape")
          }
          output.append(contentsOf: String(Character(UnicodeScalar(scalar)!)).utf8)
        default:
          throw self.error("invalid escape '\\\(Self.printable(escape))'")
        }
      case 0x00..<0x20:
        throw self.error("control character in a string must be escaped")
      default:
        output.append(byte)
        self.index += 1
      }
    }
  }

  private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
    guard self.index + 4 <= self.bytes.count else { throw self.error("truncated \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = self.bytes[self.index]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw self.error("invalid hex digit in \\u escape")
      }
      value = value << 4 | digit
      self.index += 1
    }
    return value
  }
}

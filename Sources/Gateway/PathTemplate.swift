/// A `google.api.http` path template, such as `/v1/users/{user_id}/orders` or
/// `/v1/orders/{id}:cancel`, and matching request paths against it.
///
/// Grammar (google/api/http.proto): `Template = "/" Segments [ ":" Verb ]`, a segment is a
/// literal, `*` (one segment), `**` (the rest) or a variable `{field.path}` or
/// `{field.path=segments}`.
public struct PathTemplate: Sendable, Hashable, CustomStringConvertible {
  public enum Segment: Sendable, Hashable {
    case literal(String)
    case wildcard
    case deepWildcard
    /// A variable bound to a field path, matching `pattern` (one `*` by default).
    case variable(fieldPath: [String], pattern: [Segment])
  }

  public let segments: [Segment]
  public let verb: String?
  public let text: String
  /// How many request segments the template matches, if that is fixed (no `**`): a router
  /// rules a template out by this count before comparing any segment.
  private let fixedLength: Int?

  public struct ParseError: Error, CustomStringConvertible {
    public let description: String
  }

  /// Parses a template.
  public init(_ text: String) throws(ParseError) {
    self.text = text
    guard text.hasPrefix("/") else { throw ParseError(description: "path template '\(text)' must start with '/'") }
    var body = Substring(text.dropFirst())
    // The verb follows the last ':' that is outside braces.
    var verb: String?
    var depth = 0
    var verbStart: Substring.Index?
    for index in body.indices {
      switch body[index] {
      case "{": depth += 1
      case "}": depth -= 1
      case ":" where depth == 0: verbStart = index
      default: break
      }
    }
    if let verbStart {
      verb = String(body[body.index(after: verbStart)...])
      body = body[..<verbStart]
      guard !verb!.isEmpty, !verb!.contains("/") else { throw ParseError(description: "invalid verb in '\(text)'") }
    }
    self.verb = verb
    self.segments = try Self.parseSegments(body, in: text)
    guard !self.segments.isEmpty else { throw ParseError(description: "path template '\(text)' has no segments") }
    self.fixedLength = Self.fixedLength(of: self.segments[...])
  }

  private static func fixedLength(of segments: ArraySlice<Segment>) -> Int? {
    var length = 0
    for segment in segments {
      switch segment {
      case .literal, .wildcard: length += 1
      case .deepWildcard: return nil
      case .variable(_, let pattern):
        guard let inner = Self.fixedLength(of: pattern[...]) else { return nil }
        length += inner
      }
    }
    return length
  }

  private static func parseSegments(_ text: Substring, in template: String) throws(ParseError) -> [Segment] {
    var segments: [Segment] = []
    var rest = text
    while !rest.isEmpty {
      if rest.first == "{" {
        guard let close = rest.firstIndex(of: "}") else { throw ParseError(description: "unclosed '{' in '\(template)'") }
        let inside = rest[rest.index(after: rest.startIndex)..<close]
        let parts = inside.split(separator: "=", maxSplits: 1)
        guard let path = parts.first, !path.isEmpty else { throw ParseError(description: "empty variable in '\(template)'") }
        let fieldPath = path.split(separator: ".").map(String.init)
        let pattern = parts.count == 2 ? try Self.parseSegments(parts[1], in: template) : [.wildcard]
        segments.append(.variable(fieldPath: fieldPath, pattern: pattern))
        rest = rest[rest.index(after: close)...]
      } else {
        let end = rest.firstIndex(of: "/") ?? rest.endIndex
        let literal = rest[..<end]
        switch literal {
        case "*": segments.append(.wildcard)
        case "**": segments.append(.deepWildcard)
        case "": throw ParseError(description: "empty segment in '\(template)'")
        default: segments.append(.literal(String(literal)))
        }
        rest = rest[end...]
      }
      if rest.first == "/" {
        rest = rest.dropFirst()
        if rest.isEmpty { throw ParseError(description: "trailing '/' in '\(template)'") }
      } else if !rest.isEmpty {
        throw ParseError(description: "expected '/' in '\(template)'")
      }
    }
    return segments
  }

  public var description: String { self.text }

  /// The field paths of the variables, in order.
  public var variables: [[String]] {
    self.segments.compactMap { if case .variable(let path, _) = $0 { path } else { nil } }
  }

  /// How many literal segments: more literals make a route more specific.
  public var literalCount: Int {
    self.segments.count { if case .literal = $0 { true } else { false } }
  }

  /// Matches a request path (without the query); returns each variable's field path and its
  /// percent-decoded value, or nil.
  public func match(_ path: String) -> [(fieldPath: [String], value: String)]? {
    guard let parts = Self.segments(of: path[...]) else { return nil }
    return self.match(segments: parts)
  }

  /// A request path's segments, split once for all the templates it is matched against.
  public static func segments(of path: Substring) -> [Substring]? {
    let utf8 = path.utf8
    guard utf8.first == UInt8(ascii: "/") else { return nil }
    // Split on the bytes ('/' is ASCII, and splitting Characters costs grapheme breaking), into
    // an array allocated once.
    var segments: [Substring] = []
    segments.reserveCapacity(utf8.count { $0 == UInt8(ascii: "/") })
    var start = utf8.index(after: utf8.startIndex)
    var index = start
    while index < utf8.endIndex {
      if utf8[index] == UInt8(ascii: "/") {
        segments.append(path[start..<index])
        start = utf8.index(after: index)
      }
      index = utf8.index(after: index)
    }
    segments.append(path[start..<utf8.endIndex])
    return segments
  }

  /// Matches a request path already split by ``segments(of:)``.
  public func match(segments requestSegments: [Substring]) -> [(fieldPath: [String], value: String)]? {
    if let fixedLength = self.fixedLength, fixedLength != requestSegments.count { return nil }
    var parts = requestSegments
    if let verb = self.verb {
      guard let last = parts.last, Self.hasVerb(last, verb) else { return nil }
      parts[parts.count - 1] = last.dropLast(verb.count + 1)
    }
    var bindings: [(fieldPath: [String], value: String)] = []
    guard let consumed = Self.match(self.segments[...], parts[...], bindings: &bindings), consumed == parts.count else {
      return nil
    }
    return bindings
  }

  /// Whether a segment ends in `:verb`, compared byte by byte.
  private static func hasVerb(_ segment: Substring, _ verb: String) -> Bool {
    let suffix = segment.utf8.suffix(verb.utf8.count + 1)
    return suffix.first == UInt8(ascii: ":") && suffix.dropFirst().elementsEqual(verb.utf8)
  }

  /// Matches `segments` against a prefix of `parts`; returns how many parts they took.
  private static func match(
    _ segments: ArraySlice<Segment>,
    _ parts: ArraySlice<Substring>,
    bindings: inout [(fieldPath: [String], value: String)]
  ) -> Int? {
    var index = parts.startIndex
    for segment in segments {
      switch segment {
      case .literal(let literal):
        guard index < parts.endIndex else { return nil }
        let part = parts[index]
        // Paths compare byte by byte (String's == would apply Unicode canonical equivalence).
        let matches = part.utf8.contains(UInt8(ascii: "%")) ? percentDecode(part).utf8.elementsEqual(literal.utf8) : part.utf8.elementsEqual(literal.utf8)
        guard matches else { return nil }
        index += 1
      case .wildcard:
        guard index < parts.endIndex, !parts[index].isEmpty else { return nil }
        index += 1
      case .deepWildcard:
        index = parts.endIndex
      case .variable(let fieldPath, let pattern):
        var inner: [(fieldPath: [String], value: String)] = []
        guard let taken = Self.match(pattern[...], parts[index...], bindings: &inner), taken > 0 else { return nil }
        let raw = parts[index..<(index + taken)]
        // One segment: fully decoded. Several: '/' separates them and %2F stays encoded.
        let value = raw.count == 1 ? percentDecode(raw.first!) : raw.map { percentDecode($0, keepingSlash: true) }.joined(separator: "/")
        guard !value.isEmpty else { return nil }
        bindings.append((fieldPath, value))
        index += taken
      }
    }
    return index - parts.startIndex
  }
}

/// `%XX` decoding; invalid escapes stay as they are.
public func percentDecode(_ text: some StringProtocol, keepingSlash: Bool = false, plusAsSpace: Bool = false) -> String {
  if !text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) {
    return String(text)
  }
  let bytes = Array(text.utf8)
  var output: [UInt8] = []
  output.reserveCapacity(bytes.count)
  var index = 0
  func hex(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
  while index < bytes.count {
    let byte = bytes[index]
    if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
      let decoded = high << 4 | low
      if keepingSlash && decoded == UInt8(ascii: "/") {
        output.append(contentsOf: bytes[index..<(index + 3)])
      } else {
        output.append(decoded)
      }
      index += 3
    } else {
      output.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
      index += 1
    }
  }
  return String(decoding: output, as: UTF8.self)
}

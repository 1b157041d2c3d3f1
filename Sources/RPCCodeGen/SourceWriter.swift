/// Accumulates Swift source with two-space indentation.
struct SourceWriter {
  private(set) var text = ""
  private var indentation = 0

  mutating func line(_ line: String = "") {
    if line.isEmpty {
      self.text += "\n"
    } else {
      self.text += String(repeating: "  ", count: self.indentation) + line + "\n"
    }
  }

  /// Writes `header {`, the body indented, then `}` and `suffix`.
  mutating func block(
    _ header: String,
    suffix: String = "",
    _ body: (inout SourceWriter) throws -> Void
  ) rethrows {
    self.line(header + " {")
    self.indentation += 1
    try body(&self)
    self.indentation -= 1
    self.line("}" + suffix)
  }

  /// Writes `header {`, the body at the same depth (as Swift style places `case` labels), then
  /// `}`.
  mutating func switchBlock(_ header: String, _ body: (inout SourceWriter) throws -> Void) rethrows {
    self.line(header + " {")
    try body(&self)
    self.line("}")
  }

  /// Writes a proto comment as `///` lines.
  mutating func docComment(_ comment: String) {
    let trimmed = comment.trimmingTrailingNewlines()
    guard !trimmed.isEmpty else { return }
    for line in trimmed.split(separator: "\n", omittingEmptySubsequences: false) {
      let content = line.hasPrefix(" ") ? String(line.dropFirst()) : String(line)
      self.line(content.isEmpty ? "///" : "/// \(content)")
    }
  }
}

extension String {
  func trimmingTrailingNewlines() -> String {
    var result = self
    while result.last == "\n" || result.last == " " { result.removeLast() }
    return result
  }

  /// A Swift string literal with the characters that need it escaped.
  var swiftLiteral: String {
    var result = "\""
    for scalar in self.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}

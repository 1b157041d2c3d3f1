/// Emits a Swift enum per proto enum: one case per value plus `unrecognized`, because proto3
/// enums are open and a newer peer may send a value this code does not know.
struct EnumGenerator {
  let visibility: String

  func write(_ enumeration: ProtoEnum, to writer: inout SourceWriter) {
    let v = self.visibility
    let name = Naming.swiftTypeName(enumeration.name)
    // The first name of each number is the case; later names with the same number are aliases.
    var seen: Set<Int32> = []
    var cases: [(ProtoEnum.Value, String)] = []
    var aliases: [(ProtoEnum.Value, String, String)] = []
    for value in enumeration.values {
      let caseName = Naming.swiftEnumCaseName(value.name, enumName: enumeration.name)
      if seen.insert(value.number).inserted {
        cases.append((value, caseName))
      } else if let target = cases.first(where: { $0.0.number == value.number }) {
        aliases.append((value, caseName, target.1))
      }
    }
    writer.docComment(enumeration.comment)
    writer.block("\(v) enum \(name): Sendable, Hashable, RawRepresentable") { writer in
      for (value, caseName) in cases {
        writer.docComment(value.comment)
        writer.line("case \(Naming.swiftIdentifier(caseName))")
      }
      writer.line("/// A value this code does not know, kept so that it survives a round trip.")
      writer.line("case unrecognized(Int32)")
      for (_, aliasName, target) in aliases {
        writer.line("\(v) static let \(Naming.swiftIdentifier(aliasName)) = \(name).\(Naming.swiftIdentifier(target))")
      }
      writer.line()
      writer.block("\(v) init(rawValue: Int32)") { writer in
        writer.switchBlock("switch rawValue") { writer in
          for (value, caseName) in cases {
            writer.line("case \(value.number): self = .\(Naming.swiftIdentifier(caseName))")
          }
          writer.line("default: self = .unrecognized(rawValue)")
        }
      }
      writer.line()
      writer.block("\(v) var rawValue: Int32") { writer in
        writer.switchBlock("switch self") { writer in
          for (value, caseName) in cases {
            writer.line("case .\(Naming.swiftIdentifier(caseName)): \(value.number)")
          }
          writer.line("case .unrecognized(let value): value")
        }
      }
      writer.line()
      writer.line("/// The proto name of each known value, as proto3 JSON spells it.")
      writer.line("\(v) static let protoNames: [Int32: String] = [")
      for (value, _) in cases {
        writer.line("  \(value.number): \(value.name.swiftLiteral),")
      }
      writer.line("]")
      writer.line()
      writer.line("/// The known values, in declaration order.")
      writer.line("\(v) static let knownCases: [\(name)] = [")
      for (_, caseName) in cases {
        writer.line("  .\(Naming.swiftIdentifier(caseName)),")
      }
      writer.line("]")
    }
  }
}

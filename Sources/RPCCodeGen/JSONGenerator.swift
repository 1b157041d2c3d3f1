/// Emits the proto3 JSON mapping of each message (`ProtoJSONMessage`) and enum
/// (`ProtoJSONEnum`), and each message's OpenAPI 3 schema, which the HTTP gateway uses.
struct JSONGenerator {
  let types: TypeTable
  let visibility: String
  let messages: MessageGenerator

  func writeEnumConformance(_ swiftName: String, to writer: inout SourceWriter) {
    writer.line("extension \(swiftName): ProtoJSONEnum {}")
  }

  func writeConformance(_ type: TypeTable.MessageType, to writer: inout SourceWriter) throws(CodeGenError) {
    let members = try self.messages.members(of: type)
    let v = self.visibility
    writer.block("extension \(type.swiftName): ProtoJSONMessage") { writer in
      // Decoding.
      writer.block("\(v) init(protoJSON json: JSONValue, path: String) throws(ProtoJSONError)") { writer in
        writer.line("self.init()")
        writer.line("var reader = try ProtoJSON.ObjectReader(json, path: path, typeName: \(type.fullName.swiftLiteral))")
        if members.isEmpty {
          writer.line("if let (key, _) = reader.next() { throw reader.unknown(key) }")
          return
        }
        writer.block("while let (key, value) = reader.next()") { writer in
          writer.line("let fieldPath = ProtoJSON.path(path, key)")
          writer.switchBlock("switch key") { writer in
            for (oneofIndex, member) in members.enumerated() {
              self.writeDecodeCases(member, oneofGroup: 1_000_000 + oneofIndex, to: &writer)
            }
            writer.line("default:")
            writer.line("  throw reader.unknown(key)")
          }
        }
      }
      writer.line()
      // Encoding.
      writer.block("\(v) func protoJSON() -> JSONValue") { writer in
        writer.line(members.isEmpty ? "let object = JSONObject()" : "var object = JSONObject(capacity: \(members.count))")
        for member in members { self.writeEncode(member, to: &writer) }
        writer.line("return .object(object)")
      }
      writer.line()
      // The same, straight to bytes.
      writer.block("\(v) func writeProtoJSON(to output: inout JSONOutput)") { writer in
        writer.line("output.beginObject()")
        for member in members { self.writeDirect(member, to: &writer) }
        writer.line("output.endObject()")
      }
      writer.line()
      // Schema.
      writer.line("\(v) static let protoJSONSchemaName = \(type.fullName.swiftLiteral)")
      writer.line("\(v) static let protoJSONSchema: JSONValue = \(self.schema(of: members, type: type))")
      writer.block("\(v) static func collectProtoJSONSchemas(into schemas: inout [String: JSONValue])") { writer in
        writer.line("guard schemas[Self.protoJSONSchemaName] == nil else { return }")
        writer.line("schemas[Self.protoJSONSchemaName] = Self.protoJSONSchema")
        var referenced: [String] = []
        for member in members {
          for codec in Self.codecs(of: member) {
            if case .message(let swiftType, _) = codec, !referenced.contains(swiftType) { referenced.append(swiftType) }
          }
        }
        for swiftType in referenced {
          writer.line("\(swiftType).collectProtoJSONSchemas(into: &schemas)")
        }
      }
    }
  }

  private static func codecs(of member: MessageGenerator.Member) -> [ValueCodec] {
    switch member {
    case .singular(_, _, let codec, _), .repeated(_, _, let codec): [codec]
    case .map(_, _, let key, let value, _): [key, value]
    case .oneof(_, _, _, let cases): cases.map(\.2)
    }
  }

  // MARK: Decoding

  private func caseLabels(_ field: ProtoField) -> String {
    let names = field.jsonName == field.name ? [field.name] : [field.jsonName, field.name]
    return names.map(\.swiftLiteral).joined(separator: ", ")
  }

  private func writeDecodeCases(_ member: MessageGenerator.Member, oneofGroup: Int, to writer: inout SourceWriter) {
    switch member {
    case .singular(let field, let name, let codec, _):
      writer.line("case \(self.caseLabels(field)):")
      writer.line("  try reader.claim(\(field.number), key: key)")
      writer.line("  if case .null = value { continue }")
      writer.line("  self.\(name) = \(self.decode(codec, "value", "fieldPath"))")
    case .repeated(let field, let name, let codec):
      writer.line("case \(self.caseLabels(field)):")
      writer.line("  try reader.claim(\(field.number), key: key)")
      writer.line("  if case .null = value { continue }")
      writer.line("  self.\(name) = try ProtoJSON.array(value, path: fieldPath) { (element, elementPath) throws(ProtoJSONError) in")
      writer.line("    \(self.decode(codec, "element", "elementPath"))")
      writer.line("  }")
    case .map(let field, let name, let key, let value, _):
      writer.line("case \(self.caseLabels(field)):")
      writer.line("  try reader.claim(\(field.number), key: key)")
      writer.line("  if case .null = value { continue }")
      writer.line("  self.\(name) = try ProtoJSON.map(")
      writer.line("    value,")
      writer.line("    path: fieldPath,")
      writer.line("    key: { (text, keyPath) throws(ProtoJSONError) in \(self.decodeMapKey(key, "text", "keyPath")) },")
      writer.line("    value: { (element, elementPath) throws(ProtoJSONError) in \(self.decode(value, "element", "elementPath")) }")
      writer.line("  )")
    case .oneof(let name, let protoName, _, let cases):
      for (field, caseName, codec) in cases {
        writer.line("case \(self.caseLabels(field)):")
        writer.line("  if case .null = value { continue }")
        writer.line("  guard self.\(name) == nil else {")
        writer.line("    throw ProtoJSONError(path: fieldPath, reason: \("oneof \(protoName) already has a member set".swiftLiteral))")
        writer.line("  }")
        writer.line("  try reader.claim(\(oneofGroup), key: key)")
        writer.line("  self.\(name) = .\(Naming.swiftIdentifier(caseName))(\(self.decode(codec, "value", "fieldPath")))")
      }
    }
  }

  private func decode(_ codec: ValueCodec, _ value: String, _ path: String) -> String {
    switch codec {
    case .number(let swiftType, _), .wrapper(let swiftType, _, _, _, _):
      return "try " + self.decodeScalar(swiftType, value, path)
    case .bool: return "try ProtoJSON.bool(\(value), path: \(path))"
    case .string: return "try ProtoJSON.string(\(value), path: \(path))"
    case .bytes: return "try ProtoJSON.bytes(\(value), path: \(path))"
    case .enumeration(let swiftType, _, _): return "try ProtoJSON.enumeration(\(value), \(swiftType).self, path: \(path))"
    case .message(let swiftType, _): return "try \(swiftType)(protoJSON: \(value), path: \(path))"
    case .duration: return "try ProtoJSON.duration(\(value), path: \(path))"
    }
  }

  private func decodeScalar(_ swiftType: String, _ value: String, _ path: String) -> String {
    switch swiftType {
    case "Double": "ProtoJSON.double(\(value), path: \(path))"
    case "Float": "ProtoJSON.float(\(value), path: \(path))"
    case "Bool": "ProtoJSON.bool(\(value), path: \(path))"
    case "String": "ProtoJSON.string(\(value), path: \(path))"
    case "[UInt8]": "ProtoJSON.bytes(\(value), path: \(path))"
    default: "ProtoJSON.integer(\(value), \(swiftType).self, path: \(path))"
    }
  }

  private func decodeMapKey(_ codec: ValueCodec, _ text: String, _ path: String) -> String {
    switch codec {
    case .bool: "try ProtoJSON.boolMapKey(\(text), path: \(path))"
    case .number(let swiftType, _): "try ProtoJSON.mapKey(\(text), \(swiftType).self, path: \(path))"
    default: text
    }
  }

  // MARK: Encoding

  private func writeEncode(_ member: MessageGenerator.Member, to writer: inout SourceWriter) {
    switch member {
    case .singular(let field, let name, let codec, _):
      let key = field.jsonName.swiftLiteral
      if codec.hasPresence {
        writer.line("if let value = self.\(name) { object.append(\(key), \(self.encode(codec, "value"))) }")
      } else {
        writer.line("if \(self.isSet(codec, "self.\(name)")) { object.append(\(key), \(self.encode(codec, "self.\(name)"))) }")
      }
    case .repeated(let field, let name, let codec):
      writer.line("if !self.\(name).isEmpty { object.append(\(field.jsonName.swiftLiteral), .array(self.\(name).map { \(self.encode(codec, "$0")) })) }")
    case .map(let field, let name, let key, let value, _):
      writer.line("if !self.\(name).isEmpty {")
      writer.line("  let members = self.\(name).sorted { \(self.mapOrder(key)) }.map { JSONObject.Member(key: \(self.mapKeyText(key, "$0")), value: \(self.encode(value, "$0.value"))) }")
      writer.line("  object.append(\(field.jsonName.swiftLiteral), .object(JSONObject(members)))")
      writer.line("}")
    case .oneof(let name, _, _, let cases):
      writer.switchBlock("switch self.\(name)") { writer in
        for (field, caseName, codec) in cases {
          writer.line("case .\(Naming.swiftIdentifier(caseName))(let value)?: object.append(\(field.jsonName.swiftLiteral), \(self.encode(codec, "value")))")
        }
        writer.line("case nil: break")
      }
    }
  }

  /// The lines of `writeProtoJSON(to:)` for one member: the same keys, values and order as
  /// `writeEncode`, without the tree.
  private func writeDirect(_ member: MessageGenerator.Member, to writer: inout SourceWriter) {
    switch member {
    case .singular(let field, let name, let codec, _):
      let key = field.jsonName.swiftLiteral
      if codec.hasPresence {
        writer.line("if let value = self.\(name) { output.key(\(key)); \(self.write(codec, "value")) }")
      } else {
        writer.line("if \(self.isSet(codec, "self.\(name)")) { output.key(\(key)); \(self.write(codec, "self.\(name)")) }")
      }
    case .repeated(let field, let name, let codec):
      writer.block("if !self.\(name).isEmpty") { writer in
        writer.line("output.key(\(field.jsonName.swiftLiteral))")
        writer.line("output.beginArray()")
        writer.line("for element in self.\(name) { \(self.write(codec, "element")) }")
        writer.line("output.endArray()")
      }
    case .map(let field, let name, let key, let value, _):
      writer.block("if !self.\(name).isEmpty") { writer in
        writer.line("output.key(\(field.jsonName.swiftLiteral))")
        writer.line("output.beginObject()")
        writer.line("for entry in self.\(name).sorted(by: { \(self.mapOrder(key)) }) { output.key(\(self.mapKeyText(key, "entry"))); \(self.write(value, "entry.value")) }")
        writer.line("output.endObject()")
      }
    case .oneof(let name, _, _, let cases):
      writer.switchBlock("switch self.\(name)") { writer in
        for (field, caseName, codec) in cases {
          writer.line("case .\(Naming.swiftIdentifier(caseName))(let value)?: output.key(\(field.jsonName.swiftLiteral)); \(self.write(codec, "value"))")
        }
        writer.line("case nil: break")
      }
    }
  }

  /// A map entry's key as JSON object key text, for the entry named `entry`.
  private func mapKeyText(_ key: ValueCodec, _ entry: String) -> String {
    switch key {
    case .string: "\(entry).key"
    case .bool: "(\(entry).key ? \"true\" : \"false\")"
    default: "String(\(entry).key)"
    }
  }

  /// Map entries in key order (false before true for bool keys), so the JSON is deterministic.
  private func mapOrder(_ key: ValueCodec) -> String {
    if case .bool = key { "!$0.key && $1.key" } else { "$0.key < $1.key" }
  }

  /// Writes one value to `output`: a message writes itself, other values go as a tree.
  private func write(_ codec: ValueCodec, _ value: String) -> String {
    if case .message = codec { return "\(value).writeProtoJSON(to: &output)" }
    return "output.value(\(self.encode(codec, value)))"
  }

  private func isSet(_ codec: ValueCodec, _ value: String) -> String {
    switch codec {
    case .number: "\(value) != 0"
    case .bool: value
    case .string, .bytes: "!\(value).isEmpty"
    case .enumeration: "\(value).rawValue != 0"
    case .message, .duration, .wrapper: "\(value) != nil"
    }
  }

  private func encode(_ codec: ValueCodec, _ value: String) -> String {
    switch codec {
    case .number, .bool, .string: "ProtoJSON.json(\(value))"
    case .wrapper(let swiftType, _, _, _, _): swiftType == "[UInt8]" ? "ProtoJSON.json(bytes: \(value))" : "ProtoJSON.json(\(value))"
    case .bytes: "ProtoJSON.json(bytes: \(value))"
    case .enumeration: "ProtoJSON.json(enumeration: \(value))"
    case .message: "\(value).protoJSON()"
    case .duration: "ProtoJSON.json(duration: \(value))"
    }
  }

  // MARK: OpenAPI schema

  private func schema(of members: [MessageGenerator.Member], type: TypeTable.MessageType) -> String {
    var properties: [(String, String)] = []
    for member in members {
      switch member {
      case .singular(let field, _, let codec, _):
        properties.append((field.jsonName, self.schema(codec, description: field.comment)))
      case .repeated(let field, _, let codec):
        properties.append((field.jsonName, "[\"type\": \"array\", \"items\": \(self.schema(codec, description: ""))\(Self.description(field.comment))]"))
      case .map(let field, _, _, let value, _):
        properties.append((field.jsonName, "[\"type\": \"object\", \"additionalProperties\": \(self.schema(value, description: ""))\(Self.description(field.comment))]"))
      case .oneof(_, _, _, let cases):
        for (field, _, codec) in cases {
          properties.append((field.jsonName, self.schema(codec, description: field.comment)))
        }
      }
    }
    var text = "[\"type\": \"object\", \"additionalProperties\": false"
    if !type.message.comment.isEmpty { text += ", \"description\": \(Self.oneLine(type.message.comment).swiftLiteral)" }
    if properties.isEmpty {
      text += ", \"properties\": [:]]"
    } else {
      text += ", \"properties\": [" + properties.map { "\($0.0.swiftLiteral): \($0.1)" }.joined(separator: ", ") + "]]"
    }
    return text
  }

  private static func oneLine(_ comment: String) -> String {
    comment.split(separator: "\n").map { $0.trimmingCharacters() }.joined(separator: " ")
  }

  private static func description(_ comment: String) -> String {
    comment.isEmpty ? "" : ", \"description\": \(Self.oneLine(comment).swiftLiteral)"
  }

  private func schema(_ codec: ValueCodec, description comment: String) -> String {
    let description = Self.description(comment)
    switch codec {
    case .number(let swiftType, _), .wrapper(let swiftType, _, _, _, _):
      return "[" + Self.scalarSchema(swiftType) + description + "]"
    case .bool: return "[\"type\": \"boolean\"\(description)]"
    case .string: return "[\"type\": \"string\"\(description)]"
    case .bytes: return "[\"type\": \"string\", \"format\": \"byte\"\(description)]"
    case .enumeration(let swiftType, _, _):
      let fullName = self.types.enums.values.first { $0.swiftName == swiftType }
      let names = fullName?.enumeration.values.map { $0.name.swiftLiteral }.joined(separator: ", ") ?? ""
      return "[\"type\": \"string\", \"enum\": [\(names)]\(description)]"
    case .message(let swiftType, _):
      let fullName = self.types.messages.values.first { $0.swiftName == swiftType }?.fullName ?? swiftType
      return "[\"$ref\": \("#/components/schemas/\(fullName)".swiftLiteral)]"
    case .duration:
      return "[\"type\": \"string\", \"pattern\": \("^-?[0-9]+(\\.[0-9]{1,9})?s$".swiftLiteral)\(description)]"
    }
  }

  private static func scalarSchema(_ swiftType: String) -> String {
    switch swiftType {
    case "Double": "\"type\": \"number\", \"format\": \"double\""
    case "Float": "\"type\": \"number\", \"format\": \"float\""
    case "Bool": "\"type\": \"boolean\""
    case "String": "\"type\": \"string\""
    case "[UInt8]": "\"type\": \"string\", \"format\": \"byte\""
    case "Int32": "\"type\": \"integer\", \"format\": \"int32\""
    case "UInt32": "\"type\": \"integer\", \"format\": \"int64\", \"minimum\": 0, \"maximum\": 4294967295"
    case "UInt64": "\"type\": \"string\", \"format\": \"uint64\", \"pattern\": \("^[0-9]+$".swiftLiteral)"
    default: "\"type\": \"string\", \"format\": \"int64\", \"pattern\": \("^-?[0-9]+$".swiftLiteral)"
    }
  }
}

extension Substring {
  fileprivate func trimmingCharacters() -> String {
    var result = self
    while result.first == " " { result.removeFirst() }
    while result.last == " " { result.removeLast() }
    return String(result)
  }
}

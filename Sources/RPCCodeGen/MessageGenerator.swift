/// Emits a Swift value type per message, and its bridge to the protoc-c struct.
struct MessageGenerator {
  let types: TypeTable
  let visibility: String

  /// A message's fields as Swift sees them: oneofs become one property at their first member.
  enum Member {
    case singular(ProtoField, name: String, ValueCodec, boxed: Bool)
    case repeated(ProtoField, name: String, ValueCodec)
    case map(ProtoField, name: String, key: ValueCodec, value: ValueCodec, entry: TypeTable.MessageType)
    case oneof(name: String, protoName: String, typeName: String, members: [(ProtoField, String, ValueCodec)])

    var propertyName: String {
      switch self {
      case .singular(_, let name, _, _), .repeated(_, let name, _), .map(_, let name, _, _, _),
        .oneof(let name, _, _, _):
        name
      }
    }
  }

  func members(of type: TypeTable.MessageType) throws(CodeGenError) -> [Member] {
    let message = type.message
    if message.declaresExtensions {
      throw CodeGenError("message \(type.fullName) declares extensions, which protoc-gen-swift-rpc does not support")
    }
    var members: [Member] = []
    var oneofSlots: [Int: Int] = [:]
    var swiftNames: Set<String> = []
    for field in message.fields {
      let fullFieldName = "\(type.fullName).\(field.name)"
      if field.isProto3Optional {
        throw CodeGenError(
          "field \(fullFieldName) is a proto3 'optional' field, which protoc-c 1.4 cannot compile; use a wrapper type (google.protobuf.StringValue and kin) or a oneof for presence"
        )
      }
      if Naming.cFieldName(field.name) == "base" {
        throw CodeGenError(
          "field \(fullFieldName) is named 'base', which clashes with the ProtobufCMessage member of every protoc-c struct; rename the field"
        )
      }
      if field.label == .required {
        throw CodeGenError("field \(fullFieldName) is 'required' (proto2), which protoc-gen-swift-rpc does not support")
      }
      let codec = try ValueCodec.of(field, fullFieldName: fullFieldName, types: self.types)
      let name = Naming.swiftFieldName(field)
      if let oneofIndex = field.oneofIndex {
        switch codec {
        case .duration, .wrapper:
          throw CodeGenError(
            "field \(fullFieldName) puts a Duration or wrapper type in a oneof, which protoc-gen-swift-rpc does not support"
          )
        default:
          break
        }
        if let slot = oneofSlots[oneofIndex], case .oneof(let oneofName, let protoName, let typeName, var cases) = members[slot] {
          cases.append((field, name, codec))
          members[slot] = .oneof(name: oneofName, protoName: protoName, typeName: typeName, members: cases)
        } else {
          let protoName = message.oneofs[oneofIndex]
          let oneofName = Naming.lowerCamelCase(protoName)
          guard swiftNames.insert(oneofName).inserted else {
            throw CodeGenError("oneof \(type.fullName).\(protoName) has the same Swift name as another member: \(oneofName)")
          }
          oneofSlots[oneofIndex] = members.count
          members.append(
            .oneof(
              name: oneofName,
              protoName: protoName,
              typeName: Naming.swiftTypeName(Naming.upperCamelCase(protoName)),
              members: [(field, name, codec)]
            )
          )
        }
        continue
      }
      guard swiftNames.insert(name).inserted else {
        throw CodeGenError("field \(fullFieldName) has the same Swift name as another field: \(name)")
      }
      if field.label == .repeated {
        if field.kind == .message {
          let entry = try self.types.message(field.typeName, usedBy: "field \(fullFieldName)")
          if entry.message.isMapEntry {
            guard entry.message.fields.count == 2 else {
              throw CodeGenError("map entry \(entry.fullName) does not have a key and a value")
            }
            let key = try ValueCodec.of(entry.message.fields[0], fullFieldName: "\(fullFieldName).key", types: self.types)
            let value = try ValueCodec.of(entry.message.fields[1], fullFieldName: "\(fullFieldName).value", types: self.types)
            if case .duration = value { throw CodeGenError("field \(fullFieldName) is a map of Duration, which is not supported") }
            if case .wrapper = value { throw CodeGenError("field \(fullFieldName) is a map of wrapper types, which is not supported") }
            members.append(.map(field, name: name, key: key, value: value, entry: entry))
            continue
          }
        }
        switch codec {
        case .duration, .wrapper:
          throw CodeGenError(
            "field \(fullFieldName) is a repeated Duration or wrapper type, which protoc-gen-swift-rpc does not support"
          )
        default:
          break
        }
        members.append(.repeated(field, name: name, codec))
      } else {
        // A struct cannot contain itself; a field that closes such a cycle lives in a heap box.
        var boxed = false
        if case .message = codec {
          boxed = self.reaches(field.typeName, target: type.fullName, visited: [])
        }
        members.append(.singular(field, name: name, codec, boxed: boxed))
      }
    }
    return members
  }

  /// Whether `typeName` contains `target` through a chain of singular message fields.
  private func reaches(_ typeName: String, target: String, visited: Set<String>) -> Bool {
    let fullName = typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    if fullName == target { return true }
    guard !visited.contains(fullName), let type = self.types.messages[fullName] else { return false }
    let next = visited.union([fullName])
    return type.message.fields.contains { field in
      field.kind == .message && field.label != .repeated
        && self.reaches(field.typeName, target: target, visited: next)
    }
  }

  // MARK: Declarations

  /// Writes the struct, with its nested types inside it.
  func writeDeclaration(_ type: TypeTable.MessageType, to writer: inout SourceWriter) throws(CodeGenError) {
    let members = try self.members(of: type)
    let message = type.message
    let localName = Naming.swiftTypeName(message.name)
    writer.docComment(message.comment)
    var failure: CodeGenError?
    writer.block("\(self.visibility) struct \(localName): Sendable, Hashable") { writer in
      for member in members {
        self.writeProperty(member, to: &writer)
      }
      writer.line()
      self.writeInitializer(members, to: &writer)
      for nested in message.nestedEnums {
        writer.line()
        EnumGenerator(visibility: self.visibility).write(nested, to: &writer)
      }
      for nested in message.nestedMessages where !nested.isMapEntry {
        writer.line()
        do throws(CodeGenError) {
          try self.writeDeclaration(self.types.messages["\(type.fullName).\(nested.name)"]!, to: &writer)
        } catch {
          failure = failure ?? error
        }
      }
      for member in members {
        if case .oneof(_, _, let typeName, let cases) = member {
          let recursive = cases.contains { field, _, codec in
            if case .message = codec {
              return self.reaches(field.typeName, target: type.fullName, visited: [])
            }
            return false
          }
          writer.line()
          writer.block("\(self.visibility) \(recursive ? "indirect " : "")enum \(typeName): Sendable, Hashable") { writer in
            for (field, name, codec) in cases {
              writer.docComment(field.comment)
              writer.line("case \(Naming.swiftIdentifier(name))(\(codec.swiftType))")
            }
          }
        }
      }
    }
    if let failure { throw failure }
  }

  private func writeProperty(_ member: Member, to writer: inout SourceWriter) {
    switch member {
    case .singular(let field, let name, let codec, let boxed):
      writer.docComment(field.comment)
      let type = codec.hasPresence ? "\(codec.swiftType)?" : codec.swiftType
      if boxed {
        writer.block("\(self.visibility) var \(Naming.swiftIdentifier(name)): \(type)") { writer in
          writer.line("get { self._\(name)?.value }")
          writer.line("set { self._\(name) = newValue.map(ProtobufBox.init) }")
        }
        writer.line("private var _\(name): ProtobufBox<\(codec.swiftType)>? = nil")
      } else {
        writer.line("\(self.visibility) var \(Naming.swiftIdentifier(name)): \(type) = \(codec.defaultValue)")
      }
    case .repeated(let field, let name, let codec):
      writer.docComment(field.comment)
      writer.line("\(self.visibility) var \(Naming.swiftIdentifier(name)): [\(codec.swiftType)] = []")
    case .map(let field, let name, let key, let value, _):
      writer.docComment(field.comment)
      writer.line("\(self.visibility) var \(Naming.swiftIdentifier(name)): [\(key.swiftType): \(value.swiftType)] = [:]")
    case .oneof(let name, _, let typeName, _):
      writer.line("\(self.visibility) var \(Naming.swiftIdentifier(name)): \(typeName)? = nil")
    }
  }

  private func writeInitializer(_ members: [Member], to writer: inout SourceWriter) {
    guard !members.isEmpty else {
      writer.line("\(self.visibility) init() {}")
      return
    }
    writer.line("\(self.visibility) init(")
    for (index, member) in members.enumerated() {
      let comma = index == members.count - 1 ? "" : ","
      let name = Naming.swiftIdentifier(member.propertyName)
      switch member {
      case .singular(_, _, let codec, _):
        let type = codec.hasPresence ? "\(codec.swiftType)?" : codec.swiftType
        writer.line("  \(name): \(type) = \(codec.defaultValue)\(comma)")
      case .repeated(_, _, let codec):
        writer.line("  \(name): [\(codec.swiftType)] = []\(comma)")
      case .map(_, _, let key, let value, _):
        writer.line("  \(name): [\(key.swiftType): \(value.swiftType)] = [:]\(comma)")
      case .oneof(_, _, let typeName, _):
        writer.line("  \(name): \(typeName)? = nil\(comma)")
      }
    }
    writer.block(")") { writer in
      for member in members {
        let name = Naming.swiftIdentifier(member.propertyName)
        writer.line("self.\(member.propertyName) = \(name)")
      }
    }
  }

  // MARK: Bridge

  /// Writes the `ProtobufMessage` conformance: descriptor, C → Swift and Swift → C.
  func writeConformance(_ type: TypeTable.MessageType, to writer: inout SourceWriter) throws(CodeGenError) {
    let members = try self.members(of: type)
    let v = self.visibility
    writer.block("extension \(type.swiftName): ProtobufMessage") { writer in
      writer.line("\(v) static let protoMessageName = \(type.fullName.swiftLiteral)")
      writer.line()
      writer.block("\(v) static let _protobufCDescriptor: ProtobufCDescriptor =", suffix: "()") { writer in
        writer.line("var message = \(type.cType)()")
        writer.line("\(type.cFunctionPrefix)__init(&message)")
        writer.line("return ProtobufCDescriptor(initializedMessage: &message)")
      }
      writer.line()
      let decodeThrows = members.contains { self.decodeThrows($0) }
      writer.block("\(v) init(_protobufC message: UnsafeRawPointer) throws(ProtobufDecodingError)") { writer in
        if members.isEmpty { return }
        writer.line("let c = message.assumingMemoryBound(to: \(type.cType).self).pointee")
        for member in members { self.writeDecode(member, to: &writer) }
        if !decodeThrows { writer.line("_ = c") }
      }
      writer.line()
      writer.line("\(v) func _protobufC(")
      writer.line("  in arena: inout EncodeArena")
      writer.block(") throws(ProtobufEncodingError) -> UnsafeMutableRawPointer") { writer in
        writer.line("let c = arena.allocate(\(type.cType).self)")
        writer.line("\(type.cFunctionPrefix)__init(c)")
        for member in members { self.writeEncode(member, to: &writer) }
        writer.line("return UnsafeMutableRawPointer(c)")
      }
    }
    for nested in type.message.nestedMessages where !nested.isMapEntry {
      writer.line()
      try self.writeConformance(self.types.messages["\(type.fullName).\(nested.name)"]!, to: &writer)
    }
  }

  private func decodeThrows(_ member: Member) -> Bool {
    switch member {
    case .singular(_, _, let codec, _): codec.decode("c.x").throwing
    case .repeated(_, _, let codec):
      switch codec {
      case .string, .message: true
      default: codec.decodeRequired("x").throwing
      }
    case .map: true
    case .oneof(_, _, _, let cases): cases.contains { $0.2.decodeRequired("x").throwing }
    }
  }

  private func writeDecode(_ member: Member, to writer: inout SourceWriter) {
    switch member {
    case .singular(let field, let name, let codec, _):
      writer.line("self.\(name) = \(codec.decode("c.\(Naming.cFieldName(field.name))").tried)")
    case .repeated(let field, let name, let codec):
      let cName = Naming.cFieldName(field.name)
      let count = "count: c.n_\(cName)"
      switch codec {
      case .number:
        writer.line("self.\(name) = ProtobufCValues.array(\(count), c.\(cName))")
      case .string(let fieldName):
        writer.line("self.\(name) = try ProtobufCValues.strings(\(count), c.\(cName), field: \(fieldName.swiftLiteral))")
      case .message(let swiftType, _):
        writer.line("self.\(name) = try ProtobufCValues.messages(\(count), c.\(cName), as: \(swiftType).self)")
      default:
        let element = codec.decodeRequired("element")
        if element.throwing {
          writer.line("self.\(name) = try ProtobufCValues.map(\(count), c.\(cName)) { (element) throws(ProtobufDecodingError) in")
        } else {
          writer.line("self.\(name) = ProtobufCValues.map(\(count), c.\(cName)) { element in")
        }
        writer.line("  \(element.tried)")
        writer.line("}")
      }
    case .map(let field, let name, let key, let value, _):
      let cName = Naming.cFieldName(field.name)
      writer.line("self.\(name) = try ProtobufCValues.dictionary(count: c.n_\(cName), c.\(cName)) {")
      writer.line("  (entry) throws(ProtobufDecodingError) in")
      writer.line("  (\(key.decodeRequired("entry.key").tried), \(value.decodeRequired("entry.value").tried))")
      writer.line("}")
    case .oneof(let name, let protoName, _, let cases):
      writer.switchBlock("switch c.\(Naming.cOneofCaseMember(protoName)).rawValue") { writer in
        for (field, caseName, codec) in cases {
          writer.line("case \(field.number):")
          let value = codec.decodeRequired("c.\(Naming.cFieldName(field.name))")
          writer.line("  self.\(name) = .\(Naming.swiftIdentifier(caseName))(\(value.tried))")
        }
        writer.line("default:")
        writer.line("  self.\(name) = nil")
      }
    }
  }

  private func writeEncode(_ member: Member, to writer: inout SourceWriter) {
    switch member {
    case .singular(let field, let name, let codec, _):
      writer.line("c.pointee.\(Naming.cFieldName(field.name)) = \(codec.encode("self.\(name)").tried)")
    case .repeated(let field, let name, let codec):
      let cName = Naming.cFieldName(field.name)
      writer.line("c.pointee.n_\(cName) = self.\(name).count")
      switch codec {
      case .number:
        writer.line("c.pointee.\(cName) = arena.array(self.\(name))")
      case .string(let fieldName):
        writer.line("c.pointee.\(cName) = try arena.strings(self.\(name), field: \(fieldName.swiftLiteral))")
      case .message(_, let cType):
        writer.line("c.pointee.\(cName) = try arena.messages(self.\(name), as: \(cType).self)")
      default:
        let element = codec.encodeRequired("element")
        if element.throwing {
          writer.line("c.pointee.\(cName) = try arena.map(self.\(name)) { (element, arena) throws(ProtobufEncodingError) in")
        } else {
          writer.line("c.pointee.\(cName) = arena.map(self.\(name)) { element, arena in")
        }
        writer.line("  \(element.tried)")
        writer.line("}")
      }
    case .map(let field, let name, let key, let value, let entry):
      let cName = Naming.cFieldName(field.name)
      // Sorted by key, so that the same map always encodes to the same bytes.
      let order = if case .bool = key { "!$0.key && $1.key" } else { "$0.key < $1.key" }
      writer.line("c.pointee.n_\(cName) = self.\(name).count")
      writer.line("c.pointee.\(cName) = try arena.map(self.\(name).sorted { \(order) }) {")
      writer.line("  (element, arena) throws(ProtobufEncodingError) -> UnsafeMutablePointer<\(entry.cType)>? in")
      writer.line("  let entry = arena.allocate(\(entry.cType).self)")
      writer.line("  \(entry.cFunctionPrefix)__init(entry)")
      writer.line("  entry.pointee.key = \(key.encodeRequired("element.key").tried)")
      writer.line("  entry.pointee.value = \(value.encodeRequired("element.value").tried)")
      writer.line("  return entry")
      writer.line("}")
    case .oneof(let name, let protoName, _, let cases):
      writer.switchBlock("switch self.\(name)") { writer in
        for (field, caseName, codec) in cases {
          writer.line("case .\(Naming.swiftIdentifier(caseName))(let value)?:")
          writer.line("  c.pointee.\(Naming.cOneofCaseMember(protoName)) = .init(rawValue: \(field.number))")
          writer.line("  c.pointee.\(Naming.cFieldName(field.name)) = \(codec.encodeRequired("value").tried)")
        }
        writer.line("case nil:")
        writer.line("  break")
      }
    }
  }
}

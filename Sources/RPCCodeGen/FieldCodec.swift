/// A Swift expression, and whether evaluating it can throw (so that `try` is written exactly
/// where it is needed: a needless `try` is a warning, and warnings fail the build).
struct Expression {
  var code: String
  var throwing: Bool

  init(_ code: String, throwing: Bool = false) {
    self.code = code
    self.throwing = throwing
  }

  /// The expression with `try` in front when it throws.
  var tried: String { self.throwing ? "try \(self.code)" : self.code }
}

/// How one value of a field's type moves between its C and its Swift representation.
enum ValueCodec {
  /// Numbers whose C and Swift types coincide.
  case number(swiftType: String, defaultValue: String)
  /// `protobuf_c_boolean` (an `int`) ↔ `Bool`.
  case bool
  /// `char *` ↔ `String`.
  case string(fieldName: String)
  /// `ProtobufCBinaryData` ↔ `[UInt8]`.
  case bytes
  /// A C enum ↔ a generated Swift enum.
  case enumeration(swiftType: String, cType: String, defaultCase: String)
  /// `T *` ↔ a message type.
  case message(swiftType: String, cType: String)
  /// `Google__Protobuf__Duration *` ↔ `Duration?`.
  case duration
  /// A wrapper struct pointer ↔ an optional.
  case wrapper(swiftType: String, cType: String, helper: String, throwsOnDecode: Bool, throwsOnEncode: Bool)

  /// Resolves the codec of a field.
  static func of(
    _ field: ProtoField,
    fullFieldName: String,
    types: TypeTable
  ) throws(CodeGenError) -> ValueCodec {
    switch field.kind {
    case .double: return .number(swiftType: "Double", defaultValue: "0")
    case .float: return .number(swiftType: "Float", defaultValue: "0")
    case .int64, .sint64, .sfixed64: return .number(swiftType: "Int64", defaultValue: "0")
    case .uint64, .fixed64: return .number(swiftType: "UInt64", defaultValue: "0")
    case .int32, .sint32, .sfixed32: return .number(swiftType: "Int32", defaultValue: "0")
    case .uint32, .fixed32: return .number(swiftType: "UInt32", defaultValue: "0")
    case .bool: return .bool
    case .string: return .string(fieldName: fullFieldName)
    case .bytes: return .bytes
    case .group:
      throw CodeGenError("field \(fullFieldName) is a group, which protoc-gen-swift-rpc does not support")
    case .enum:
      let type = try types.enumeration(field.typeName, usedBy: "field \(fullFieldName)")
      guard let first = type.enumeration.values.first else {
        throw CodeGenError("enum \(type.fullName) has no values")
      }
      return .enumeration(
        swiftType: type.swiftName,
        cType: type.cType,
        defaultCase: Naming.swiftIdentifier(
          Naming.swiftEnumCaseName(first.name, enumName: type.enumeration.name)
        )
      )
    case .message:
      let type = try types.message(field.typeName, usedBy: "field \(fullFieldName)")
      switch type.wellKnown {
      case .duration:
        return .duration
      case .wrapper(let swiftType, let helper, let throwsOnDecode, let throwsOnEncode):
        return .wrapper(
          swiftType: swiftType,
          cType: type.cType,
          helper: helper,
          throwsOnDecode: throwsOnDecode,
          throwsOnEncode: throwsOnEncode
        )
      case .runtimeMessage, nil:
        return .message(swiftType: type.swiftName, cType: type.cType)
      }
    }
  }

  /// The Swift type of one value.
  var swiftType: String {
    switch self {
    case .number(let swiftType, _): swiftType
    case .bool: "Bool"
    case .string: "String"
    case .bytes: "[UInt8]"
    case .enumeration(let swiftType, _, _): swiftType
    case .message(let swiftType, _): swiftType
    case .duration: "Duration"
    case .wrapper(let swiftType, _, _, _, _): swiftType
    }
  }

  /// Whether a singular field of this codec is optional in Swift (it has presence).
  var hasPresence: Bool {
    switch self {
    case .message, .duration, .wrapper: true
    default: false
    }
  }

  /// The proto3 default of a singular field.
  var defaultValue: String {
    switch self {
    case .number(_, let value): value
    case .bool: "false"
    case .string: "\"\""
    case .bytes: "[]"
    case .enumeration(_, _, let defaultCase): ".\(defaultCase)"
    case .message, .duration, .wrapper: "nil"
    }
  }

  /// Reads a C value (`c` is an expression of the C type) into Swift. For codecs with presence
  /// the result is optional.
  func decode(_ c: String) -> Expression {
    switch self {
    case .number: Expression(c)
    case .bool: Expression("\(c) != 0")
    case .string(let fieldName):
      Expression("ProtobufCValues.string(\(c), field: \(fieldName.swiftLiteral))", throwing: true)
    case .bytes: Expression("ProtobufCValues.bytes(count: \(c).len, data: \(c).data)")
    case .enumeration(let swiftType, _, _):
      Expression("\(swiftType)(rawValue: Int32(truncatingIfNeeded: \(c).rawValue))")
    case .message(let swiftType, _):
      Expression("ProtobufCValues.message(\(c), as: \(swiftType).self)", throwing: true)
    case .duration: Expression("WellKnownTypes.duration(\(c))")
    case .wrapper(_, _, let helper, let throwsOnDecode, _):
      Expression("WellKnownTypes.\(helper)(\(c))", throwing: throwsOnDecode)
    }
  }

  /// Reads a C value that must be present (a repeated element, a map value, a oneof member)
  /// into a non-optional Swift value.
  func decodeRequired(_ c: String) -> Expression {
    switch self {
    case .message(let swiftType, _):
      Expression("ProtobufCValues.message(\(c), as: \(swiftType).self) ?? \(swiftType)()", throwing: true)
    default:
      self.decode(c)
    }
  }

  /// Builds the C value of a Swift value (`value` is an expression of the Swift type, optional
  /// for codecs with presence). `arena` is the `inout EncodeArena` in scope.
  func encode(_ value: String) -> Expression {
    switch self {
    case .number: Expression(value)
    case .bool: Expression("\(value) ? 1 : 0")
    case .string(let fieldName):
      Expression("arena.string(\(value), field: \(fieldName.swiftLiteral))", throwing: true)
    case .bytes: Expression("arena.bytes(\(value), ProtobufCBinaryData.init(len:data:))")
    case .enumeration(_, let cType, _):
      Expression("\(cType)(rawValue: .init(truncatingIfNeeded: \(value).rawValue))")
    case .message(_, let cType):
      Expression("arena.message(\(value), as: \(cType).self)", throwing: true)
    case .duration:
      Expression(
        "WellKnownTypes.duration(\(value), in: &arena)?.assumingMemoryBound(to: Google__Protobuf__Duration.self)"
      )
    case .wrapper(_, let cType, let helper, _, let throwsOnEncode):
      Expression(
        "WellKnownTypes.\(helper)(\(value), in: &arena)?.assumingMemoryBound(to: \(cType).self)",
        throwing: throwsOnEncode
      )
    }
  }

  /// Builds the C value of a non-optional Swift value.
  func encodeRequired(_ value: String) -> Expression {
    switch self {
    case .message(_, let cType):
      Expression("\(value)._protobufC(in: &arena).assumingMemoryBound(to: \(cType).self)", throwing: true)
    default:
      self.encode(value)
    }
  }
}

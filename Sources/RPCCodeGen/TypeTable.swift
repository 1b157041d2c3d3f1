/// Every message and enum protoc passed, by full name, with the names generated Swift and
/// protoc-c's C use for it.
struct TypeTable {
  /// A well-known type the runtime maps to a Swift type of its own.
  enum WellKnown {
    /// `google.protobuf.Timestamp` → `Timestamp`, `google.protobuf.Empty` → `ProtobufEmpty`:
    /// messages with a handwritten conformance in the runtime.
    case runtimeMessage(swiftName: String)
    /// `google.protobuf.Duration` → `Swift.Duration`.
    case duration
    /// `google.protobuf.StringValue` and kin → an optional of the Swift type.
    case wrapper(swiftType: String, helper: String, throwsOnDecode: Bool, throwsOnEncode: Bool)
  }

  struct MessageType {
    var fullName: String
    var swiftName: String
    var cType: String
    var cFunctionPrefix: String
    var message: ProtoMessage
    var wellKnown: WellKnown?
  }

  struct EnumType {
    var fullName: String
    var swiftName: String
    var cType: String
    var enumeration: ProtoEnum
  }

  private(set) var messages: [String: MessageType] = [:]
  private(set) var enums: [String: EnumType] = [:]
  /// Full names of types from files nobody mapped to a module, with their file.
  private var unmapped: [String: String] = [:]

  private static let wellKnown: [String: WellKnown] = [
    "google.protobuf.Timestamp": .runtimeMessage(swiftName: "Timestamp"),
    "google.protobuf.Empty": .runtimeMessage(swiftName: "ProtobufEmpty"),
    "google.protobuf.Duration": .duration,
    "google.protobuf.DoubleValue": .wrapper(swiftType: "Double", helper: "doubleValue", throwsOnDecode: false, throwsOnEncode: false),
    "google.protobuf.FloatValue": .wrapper(swiftType: "Float", helper: "floatValue", throwsOnDecode: false, throwsOnEncode: false),
    "google.protobuf.Int64Value": .wrapper(swiftType: "Int64", helper: "int64Value", throwsOnDecode: false, throwsOnEncode: false),
    "google.protobuf.UInt64Value": .wrapper(swiftType: "UInt64", helper: "uint64Value", throwsOnDecode: false, throwsOnEncode: false),
    "google.protobuf.Int32Value": .wrapper(swiftType: "Int32", helper: "int32Value", throwsOnDecode: false, throwsOnEncode: false),
    "google.protobuf.UInt32Value": .wrapper(swiftType: "UInt32", helper: "uint32Value", throwsOnDecode: false, throwsOnEncode: false),
    "google.protobuf.BoolValue": .wrapper(swiftType: "Bool", helper: "boolValue", throwsOnDecode: false, throwsOnEncode: false),
    "google.protobuf.StringValue": .wrapper(swiftType: "String", helper: "stringValue", throwsOnDecode: true, throwsOnEncode: true),
    "google.protobuf.BytesValue": .wrapper(swiftType: "[UInt8]", helper: "bytesValue", throwsOnDecode: false, throwsOnEncode: false),
  ]

  init(request: CodeGenRequest, options: GeneratorOptions) {
    let generated = Set(request.filesToGenerate)
    for file in request.files {
      let module: String?
      if generated.contains(file.name) {
        module = nil
      } else if let mapped = options.packageModules[file.package] {
        module = mapped
      } else {
        module = ""
      }
      for message in file.messages {
        self.addMessage(message, scope: file.package, swiftScope: nil, module: module, file: file.name)
      }
      for enumeration in file.enums {
        self.addEnum(enumeration, scope: file.package, swiftScope: nil, module: module, file: file.name)
      }
    }
  }

  private mutating func addMessage(
    _ message: ProtoMessage,
    scope: String,
    swiftScope: String?,
    module: String?,
    file: String
  ) {
    let fullName = scope.isEmpty ? message.name : "\(scope).\(message.name)"
    let localName = Naming.swiftTypeName(message.name)
    let swiftPath = swiftScope.map { "\($0).\(localName)" } ?? localName
    let wellKnown = Self.wellKnown[fullName]
    var swiftName = swiftPath
    if case .runtimeMessage(let runtimeName) = wellKnown {
      swiftName = runtimeName
    } else if let module, !module.isEmpty {
      swiftName = "\(module).\(swiftPath)"
    } else if module == "" && wellKnown == nil {
      self.unmapped[fullName] = file
    }
    self.messages[fullName] = MessageType(
      fullName: fullName,
      swiftName: swiftName,
      cType: Naming.cTypeName(fullName: fullName),
      cFunctionPrefix: Naming.cFunctionPrefix(fullName: fullName),
      message: message,
      wellKnown: wellKnown
    )
    for nested in message.nestedMessages {
      self.addMessage(nested, scope: fullName, swiftScope: swiftPath, module: module, file: file)
    }
    for nested in message.nestedEnums {
      self.addEnum(nested, scope: fullName, swiftScope: swiftPath, module: module, file: file)
    }
  }

  private mutating func addEnum(
    _ enumeration: ProtoEnum,
    scope: String,
    swiftScope: String?,
    module: String?,
    file: String
  ) {
    let fullName = scope.isEmpty ? enumeration.name : "\(scope).\(enumeration.name)"
    let localName = Naming.swiftTypeName(enumeration.name)
    var swiftName = swiftScope.map { "\($0).\(localName)" } ?? localName
    if let module, !module.isEmpty {
      swiftName = "\(module).\(swiftName)"
    } else if module == "" {
      self.unmapped[fullName] = file
    }
    self.enums[fullName] = EnumType(
      fullName: fullName,
      swiftName: swiftName,
      cType: Naming.cTypeName(fullName: fullName),
      enumeration: enumeration
    )
  }

  /// The message a field or method refers to.
  func message(_ typeName: String, usedBy user: String) throws(CodeGenError) -> MessageType {
    let fullName = typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    guard let type = self.messages[fullName] else {
      throw CodeGenError("\(user) refers to unknown message type \(fullName)")
    }
    try self.checkMapped(fullName, usedBy: user)
    return type
  }

  /// The enum a field refers to.
  func enumeration(_ typeName: String, usedBy user: String) throws(CodeGenError) -> EnumType {
    let fullName = typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    guard let type = self.enums[fullName] else {
      throw CodeGenError("\(user) refers to unknown enum type \(fullName)")
    }
    try self.checkMapped(fullName, usedBy: user)
    return type
  }

  private func checkMapped(_ fullName: String, usedBy user: String) throws(CodeGenError) {
    if let file = self.unmapped[fullName] {
      if fullName.hasPrefix("google.protobuf.") {
        throw CodeGenError(
          "\(user) uses \(fullName), which protoc-gen-swift-rpc does not support; supported well-known types are Timestamp, Duration, Empty and the wrapper types (StringValue and kin)"
        )
      }
      let package = fullName.split(separator: ".").dropLast().joined(separator: ".")
      throw CodeGenError(
        "\(user) uses \(fullName) from \(file), which is not being generated; generate it in the same run or pass PackageModule=\(package):<SwiftModule>"
      )
    }
  }
}

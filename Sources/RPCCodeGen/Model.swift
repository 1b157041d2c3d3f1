/// What protoc hands a plugin, reduced to what code generation needs. The plugin executable fills
/// it from `CodeGeneratorRequest`; tests build it by hand.
public struct CodeGenRequest: Sendable {
  /// Every file protoc parsed, dependencies first.
  public var files: [ProtoFile]
  /// The names of the files to generate code for.
  public var filesToGenerate: [String]
  /// The text after the `:` in `--swift-rpc_out=PARAMS:DIR`, or after `--swift-rpc_opt=`.
  public var parameter: String

  public init(files: [ProtoFile], filesToGenerate: [String], parameter: String) {
    self.files = files
    self.filesToGenerate = filesToGenerate
    self.parameter = parameter
  }
}

/// One `.proto` file.
public struct ProtoFile: Sendable {
  public var name: String
  public var package: String
  /// `proto2`, `proto3` or `editions`; protoc leaves it empty for proto2.
  public var syntax: String
  public var dependencies: [String]
  public var messages: [ProtoMessage]
  public var enums: [ProtoEnum]
  public var services: [ProtoService]
  /// Whether the file declares extensions of its own (only custom options are expected).
  public var declaresExtensions: Bool

  public init(
    name: String,
    package: String,
    syntax: String = "proto3",
    dependencies: [String] = [],
    messages: [ProtoMessage] = [],
    enums: [ProtoEnum] = [],
    services: [ProtoService] = [],
    declaresExtensions: Bool = false
  ) {
    self.name = name
    self.package = package
    self.syntax = syntax
    self.dependencies = dependencies
    self.messages = messages
    self.enums = enums
    self.services = services
    self.declaresExtensions = declaresExtensions
  }
}

/// One message type.
public struct ProtoMessage: Sendable {
  public var name: String
  public var fields: [ProtoField]
  /// The names of the message's oneofs, by index; proto3 `optional` fields have synthetic ones.
  public var oneofs: [String]
  public var nestedMessages: [ProtoMessage]
  public var nestedEnums: [ProtoEnum]
  /// Set on the entry types protoc synthesises for `map<K, V>` fields.
  public var isMapEntry: Bool
  /// Whether the message declares extension ranges or extensions (proto2 only).
  public var declaresExtensions: Bool
  public var comment: String

  public init(
    name: String,
    fields: [ProtoField] = [],
    oneofs: [String] = [],
    nestedMessages: [ProtoMessage] = [],
    nestedEnums: [ProtoEnum] = [],
    isMapEntry: Bool = false,
    declaresExtensions: Bool = false,
    comment: String = ""
  ) {
    self.name = name
    self.fields = fields
    self.oneofs = oneofs
    self.nestedMessages = nestedMessages
    self.nestedEnums = nestedEnums
    self.isMapEntry = isMapEntry
    self.declaresExtensions = declaresExtensions
    self.comment = comment
  }
}

/// One field of a message.
public struct ProtoField: Sendable {
  /// The wire types of `FieldDescriptorProto.Type`, by their descriptor.proto numbers.
  public enum Kind: Int, Sendable {
    case double = 1, float, int64, uint64, int32, fixed64, fixed32, bool, string, group, message,
      bytes, uint32, `enum`, sfixed32, sfixed64, sint32, sint64
  }

  public enum Label: Int, Sendable {
    case optional = 1, required, repeated
  }

  public var name: String
  public var number: Int
  public var label: Label
  public var kind: Kind
  /// The fully qualified type name with a leading dot, for messages and enums.
  public var typeName: String
  /// The index into the message's `oneofs`, if the field is part of one.
  public var oneofIndex: Int?
  /// protoc's lowerCamelCase name, as proto3 JSON uses it.
  public var jsonName: String
  /// Set for proto3 `optional` fields.
  public var isProto3Optional: Bool
  public var comment: String

  public init(
    name: String,
    number: Int,
    label: Label = .optional,
    kind: Kind,
    typeName: String = "",
    oneofIndex: Int? = nil,
    jsonName: String? = nil,
    isProto3Optional: Bool = false,
    comment: String = ""
  ) {
    self.name = name
    self.number = number
    self.label = label
    self.kind = kind
    self.typeName = typeName
    self.oneofIndex = oneofIndex
    self.jsonName = jsonName ?? Naming.lowerCamelCase(name)
    self.isProto3Optional = isProto3Optional
    self.comment = comment
  }
}

/// One enum type.
public struct ProtoEnum: Sendable {
  public struct Value: Sendable {
    public var name: String
    public var number: Int32
    public var comment: String

    public init(name: String, number: Int32, comment: String = "") {
      self.name = name
      self.number = number
      self.comment = comment
    }
  }

  public var name: String
  public var values: [Value]
  public var comment: String

  public init(name: String, values: [Value], comment: String = "") {
    self.name = name
    self.values = values
    self.comment = comment
  }
}

/// One service.
public struct ProtoService: Sendable {
  public var name: String
  public var methods: [ProtoMethod]
  public var comment: String

  public init(name: String, methods: [ProtoMethod], comment: String = "") {
    self.name = name
    self.methods = methods
    self.comment = comment
  }
}

/// One RPC method.
public struct ProtoMethod: Sendable {
  public var name: String
  /// Fully qualified, with a leading dot.
  public var inputType: String
  /// Fully qualified, with a leading dot.
  public var outputType: String
  public var clientStreaming: Bool
  public var serverStreaming: Bool
  /// The `google.api.http` annotation, if any.
  public var httpRule: ProtoHTTPRule?
  public var comment: String

  public init(
    name: String,
    inputType: String,
    outputType: String,
    clientStreaming: Bool = false,
    serverStreaming: Bool = false,
    httpRule: ProtoHTTPRule? = nil,
    comment: String = ""
  ) {
    self.name = name
    self.inputType = inputType
    self.outputType = outputType
    self.clientStreaming = clientStreaming
    self.serverStreaming = serverStreaming
    self.httpRule = httpRule
    self.comment = comment
  }
}

/// A `google.api.HttpRule`.
public struct ProtoHTTPRule: Sendable, Hashable {
  /// `GET`, `PUT`, `POST`, `DELETE`, `PATCH` or a custom verb.
  public var method: String
  public var path: String
  public var body: String
  public var responseBody: String
  public var additionalBindings: [ProtoHTTPRule]

  public init(
    method: String,
    path: String,
    body: String = "",
    responseBody: String = "",
    additionalBindings: [ProtoHTTPRule] = []
  ) {
    self.method = method
    self.path = path
    self.body = body
    self.responseBody = responseBody
    self.additionalBindings = additionalBindings
  }
}

/// A file the generator produced.
public struct GeneratedFile: Sendable, Equatable {
  public var name: String
  public var content: String

  public init(name: String, content: String) {
    self.name = name
    self.content = content
  }
}

/// Why generation failed; protoc prints the message and exits non-zero.
public struct CodeGenError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) {
    self.message = message
  }

  public var description: String { self.message }
}

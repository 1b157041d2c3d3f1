internal import CProtobufC
internal import CWellKnownTypes
import RPCCodeGen

/// Reads protoc's `CodeGeneratorRequest` through the protoc-c codecs of descriptor.proto and
/// plugin.proto into the generator's model. The only file of the plugin that touches C structs.
enum DescriptorReader {
  /// The extension number of `google.api.http` on `google.protobuf.MethodOptions`.
  private static let httpRuleExtension: UInt32 = 72_295_728

  static func read(_ bytes: [UInt8]) throws(CodeGenError) -> CodeGenRequest {
    let unpacked = bytes.withUnsafeBufferPointer { buffer in
      google__protobuf__compiler__code_generator_request__unpack(nil, buffer.count, buffer.baseAddress)
    }
    guard let unpacked else {
      throw CodeGenError("protoc-gen-swift-rpc: stdin is not a CodeGeneratorRequest")
    }
    defer { google__protobuf__compiler__code_generator_request__free_unpacked(unpacked, nil) }
    let request = unpacked.pointee
    let files = try Self.array(request.proto_file, request.n_proto_file).map { (file) throws(CodeGenError) in
      try Self.file(file!.pointee)
    }
    return CodeGenRequest(
      files: files,
      filesToGenerate: Self.strings(request.file_to_generate, request.n_file_to_generate),
      parameter: Self.string(request.parameter)
    )
  }

  private static func file(_ file: Google__Protobuf__FileDescriptorProto) throws(CodeGenError) -> ProtoFile {
    let comments = Comments(file.source_code_info)
    let messages = try Self.array(file.message_type, file.n_message_type).enumerated().map {
      (index, message) throws(CodeGenError) in
      try Self.message(message!.pointee, path: [4, Int32(index)], comments: comments)
    }
    let enums = Self.array(file.enum_type, file.n_enum_type).enumerated().map { index, enumeration in
      Self.enumeration(enumeration!.pointee, path: [5, Int32(index)], comments: comments)
    }
    let services = try Self.array(file.service, file.n_service).enumerated().map {
      (index, service) throws(CodeGenError) in
      try Self.service(service!.pointee, path: [6, Int32(index)], comments: comments)
    }
    return ProtoFile(
      name: Self.string(file.name),
      package: Self.string(file.package),
      syntax: Self.string(file.syntax),
      dependencies: Self.strings(file.dependency, file.n_dependency),
      messages: messages,
      enums: enums,
      services: services,
      declaresExtensions: file.n_extension > 0
    )
  }

  private static func message(
    _ message: Google__Protobuf__DescriptorProto,
    path: [Int32],
    comments: Comments
  ) throws(CodeGenError) -> ProtoMessage {
    let name = Self.string(message.name)
    let fields = Self.array(message.field, message.n_field).enumerated().map { index, field in
      Self.field(field!.pointee, comment: comments[path + [2, Int32(index)]])
    }
    let nestedMessages = try Self.array(message.nested_type, message.n_nested_type).enumerated().map {
      (index, nested) throws(CodeGenError) in
      try Self.message(nested!.pointee, path: path + [3, Int32(index)], comments: comments)
    }
    let nestedEnums = Self.array(message.enum_type, message.n_enum_type).enumerated().map { index, nested in
      Self.enumeration(nested!.pointee, path: path + [4, Int32(index)], comments: comments)
    }
    let oneofs = Self.array(message.oneof_decl, message.n_oneof_decl).map { Self.string($0!.pointee.name) }
    let isMapEntry = message.options.map { $0.pointee.has_map_entry != 0 && $0.pointee.map_entry != 0 } ?? false
    return ProtoMessage(
      name: name,
      fields: fields,
      oneofs: oneofs,
      nestedMessages: nestedMessages,
      nestedEnums: nestedEnums,
      isMapEntry: isMapEntry,
      declaresExtensions: message.n_extension > 0 || message.n_extension_range > 0,
      comment: comments[path]
    )
  }

  private static func field(_ field: Google__Protobuf__FieldDescriptorProto, comment: String) -> ProtoField {
    ProtoField(
      name: Self.string(field.name),
      number: Int(field.number),
      label: ProtoField.Label(rawValue: Int(field.label.rawValue)) ?? .optional,
      kind: ProtoField.Kind(rawValue: Int(field.type.rawValue)) ?? .group,
      typeName: Self.string(field.type_name),
      oneofIndex: field.has_oneof_index != 0 ? Int(field.oneof_index) : nil,
      jsonName: field.json_name == nil ? nil : Self.string(field.json_name),
      isProto3Optional: field.has_proto3_optional != 0 && field.proto3_optional != 0,
      comment: comment
    )
  }

  private static func enumeration(
    _ enumeration: Google__Protobuf__EnumDescriptorProto,
    path: [Int32],
    comments: Comments
  ) -> ProtoEnum {
    let values = Self.array(enumeration.value, enumeration.n_value).enumerated().map { index, value in
      ProtoEnum.Value(
        name: Self.string(value!.pointee.name),
        number: value!.pointee.number,
        comment: comments[path + [2, Int32(index)]]
      )
    }
    return ProtoEnum(name: Self.string(enumeration.name), values: values, comment: comments[path])
  }

  private static func service(
    _ service: Google__Protobuf__ServiceDescriptorProto,
    path: [Int32],
    comments: Comments
  ) throws(CodeGenError) -> ProtoService {
    let name = Self.string(service.name)
    let methods = try Self.array(service.method, service.n_method).enumerated().map {
      (index, method) throws(CodeGenError) in
      let method = method!.pointee
      let methodName = Self.string(method.name)
      return ProtoMethod(
        name: methodName,
        inputType: Self.string(method.input_type),
        outputType: Self.string(method.output_type),
        clientStreaming: method.has_client_streaming != 0 && method.client_streaming != 0,
        serverStreaming: method.has_server_streaming != 0 && method.server_streaming != 0,
        httpRule: try Self.httpRule(method.options, method: "\(name).\(methodName)"),
        comment: comments[path + [2, Int32(index)]]
      )
    }
    return ProtoService(name: name, methods: methods, comment: comments[path])
  }

  /// protobuf-c does not know extensions, so `(google.api.http)` arrives as an unknown field of
  /// `MethodOptions`; its bytes are an `HttpRule`, which the protoc-c codec of http.proto reads.
  private static func httpRule(
    _ options: UnsafeMutablePointer<Google__Protobuf__MethodOptions>?,
    method: String
  ) throws(CodeGenError) -> ProtoHTTPRule? {
    guard let options else { return nil }
    let base = options.pointee.base
    for field in Self.array(base.unknown_fields, Int(base.n_unknown_fields))
    where field.tag == Self.httpRuleExtension {
      // protobuf-c keeps an unknown length-delimited field with its length prefix; skip it.
      var prefix = 0
      while prefix < field.len, field.data[prefix] & 0x80 != 0 { prefix += 1 }
      prefix += 1
      guard field.wire_type == PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED, prefix <= field.len,
        let rule = google__api__http_rule__unpack(nil, field.len - prefix, field.data + prefix)
      else {
        throw CodeGenError("the google.api.http option of \(method) does not decode as an HttpRule")
      }
      defer { google__api__http_rule__free_unpacked(rule, nil) }
      return try Self.httpRule(rule.pointee, method: method)
    }
    return nil
  }

  private static func httpRule(_ rule: Google__Api__HttpRule, method: String) throws(CodeGenError) -> ProtoHTTPRule {
    let verb: String
    let path: String
    switch rule.pattern_case {
    case GOOGLE__API__HTTP_RULE__PATTERN_GET: (verb, path) = ("GET", Self.string(rule.get))
    case GOOGLE__API__HTTP_RULE__PATTERN_PUT: (verb, path) = ("PUT", Self.string(rule.put))
    case GOOGLE__API__HTTP_RULE__PATTERN_POST: (verb, path) = ("POST", Self.string(rule.post))
    case GOOGLE__API__HTTP_RULE__PATTERN_DELETE: (verb, path) = ("DELETE", Self.string(rule.delete_))
    case GOOGLE__API__HTTP_RULE__PATTERN_PATCH: (verb, path) = ("PATCH", Self.string(rule.patch))
    case GOOGLE__API__HTTP_RULE__PATTERN_CUSTOM:
      (verb, path) = (Self.string(rule.custom.pointee.kind), Self.string(rule.custom.pointee.path))
    default:
      throw CodeGenError("the google.api.http option of \(method) has no HTTP method")
    }
    let additional = try Self.array(rule.additional_bindings, rule.n_additional_bindings).map {
      (binding) throws(CodeGenError) in try Self.httpRule(binding!.pointee, method: method)
    }
    return ProtoHTTPRule(
      method: verb,
      path: path,
      body: Self.string(rule.body),
      responseBody: Self.string(rule.response_body),
      additionalBindings: additional
    )
  }

  /// Leading comments by their `SourceCodeInfo` path.
  private struct Comments {
    private var byPath: [[Int32]: String] = [:]

    init(_ info: UnsafeMutablePointer<Google__Protobuf__SourceCodeInfo>?) {
      guard let info else { return }
      for location in DescriptorReader.array(info.pointee.location, info.pointee.n_location) {
        let location = location!.pointee
        guard location.leading_comments != nil else { continue }
        let path = DescriptorReader.array(location.path, location.n_path)
        self.byPath[path] = DescriptorReader.string(location.leading_comments)
      }
    }

    subscript(path: [Int32]) -> String { self.byPath[path] ?? "" }
  }

  fileprivate static func string(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
  }

  private static func strings(_ base: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
    Self.array(base, count).map { Self.string($0) }
  }

  fileprivate static func array<T>(_ base: UnsafeMutablePointer<T>?, _ count: Int) -> [T] {
    guard let base, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: base, count: count))
  }
}

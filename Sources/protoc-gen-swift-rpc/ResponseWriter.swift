internal import CProtobufC
internal import CWellKnownTypes
import RPCCodeGen

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Packs the `CodeGeneratorResponse` through the protoc-c codec of plugin.proto.
enum ResponseWriter {
  /// `CodeGeneratorResponse.Feature.FEATURE_PROTO3_OPTIONAL`: declared so that protoc passes
  /// proto3 `optional` fields through and the generator can refuse them with its own advice.
  private static let proto3OptionalFeature: UInt64 = 1

  static func pack(files: [GeneratedFile], error: String?) -> [UInt8] {
    var allocations: [UnsafeMutableRawPointer] = []
    defer { allocations.forEach { free($0) } }
    func cString(_ value: String) -> UnsafeMutablePointer<CChar> {
      let copy = strdup(value)!
      allocations.append(copy)
      return copy
    }

    var response = Google__Protobuf__Compiler__CodeGeneratorResponse()
    google__protobuf__compiler__code_generator_response__init(&response)
    response.has_supported_features = 1
    response.supported_features = Self.proto3OptionalFeature
    if let error { response.error = cString(error) }

    var structs = [Google__Protobuf__Compiler__CodeGeneratorResponse__File](
      repeating: Google__Protobuf__Compiler__CodeGeneratorResponse__File(),
      count: files.count
    )
    for (index, file) in files.enumerated() {
      google__protobuf__compiler__code_generator_response__file__init(&structs[index])
      structs[index].name = cString(file.name)
      structs[index].content = cString(file.content)
    }
    return structs.withUnsafeMutableBufferPointer { fileBuffer in
      var pointers: [UnsafeMutablePointer<Google__Protobuf__Compiler__CodeGeneratorResponse__File>?] =
        (0..<files.count).map { fileBuffer.baseAddress! + $0 }
      return pointers.withUnsafeMutableBufferPointer { pointerBuffer in
        response.n_file = files.count
        response.file = pointerBuffer.baseAddress
        let size = google__protobuf__compiler__code_generator_response__get_packed_size(&response)
        var bytes = [UInt8](repeating: 0, count: size)
        _ = bytes.withUnsafeMutableBufferPointer { out in
          google__protobuf__compiler__code_generator_response__pack(&response, out.baseAddress)
        }
        return bytes
      }
    }
  }
}

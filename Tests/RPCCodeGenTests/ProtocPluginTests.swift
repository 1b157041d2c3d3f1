import Foundation
import TestSupport
import Testing

/// The plugin as protoc runs it, on .proto files written for each test.
@Suite("protoc-gen-swift-rpc under protoc")
struct ProtocPluginTests {
  private func protoc(_ proto: String, name: String = "t/v1/t.proto") async throws -> Subprocess.Output {
    try await self.protocWithOutput(proto, name: name).0
  }

  private func protocWithOutput(_ proto: String, name: String = "t/v1/t.proto") async throws -> (Subprocess.Output, String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-\(UUID().uuidString)")
    let file = folder.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try proto.write(to: file, atomically: true, encoding: .utf8)
    let out = folder.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let output = try await Subprocess.run(
      URL(fileURLWithPath: "/usr/bin/protoc"),
      [
        "-I\(folder.path)", "-I\(Repository.root.appendingPathComponent("proto").path)", "-I/usr/include",
        "--plugin=protoc-gen-swift-rpc=\(Repository.binaries.appendingPathComponent("protoc-gen-swift-rpc").path)",
        "--swift-rpc_out=\(out.path)", name,
      ]
    )
    let generated = (try? FileManager.default.contentsOfDirectory(atPath: out.path))?.compactMap {
      try? String(contentsOf: out.appendingPathComponent($0), encoding: .utf8)
    }.joined() ?? ""
    return (output, generated)
  }

  @Test("proto3 optional is refused with advice, before protoc-c could refuse it less clearly")
  func proto3Optional() async throws {
    let output = try await self.protoc(#"syntax = "proto3"; package t.v1; message M { optional string nick = 1; }"#)
    #expect(output.status != 0)
    #expect(output.stderr.contains("field t.v1.M.nick is a proto3 'optional' field"), "\(output.stderr)")
  }

  @Test("An rpc named like a C keyword is refused by name")
  func cKeyword() async throws {
    let output = try await self.protoc(
      #"syntax = "proto3"; package t.v1; message M {} service S { rpc Do(M) returns (M); }"#
    )
    #expect(output.status != 0)
    #expect(output.stderr.contains("rpc t.v1.S.Do becomes the C identifier 'do'"), "\(output.stderr)")
  }

  @Test("HTTP annotations are read from MethodOptions")
  func annotations() async throws {
    let (output, generated) = try await self.protocWithOutput(
      """
      syntax = "proto3"; package t.v1; import "google/api/annotations.proto";
      message M { string id = 1; }
      service S { rpc Get(M) returns (M) { option (google.api.http) = { get: "/v1/things/{id}" additional_bindings { post: "/v1/things:get" body: "*" } }; } }
      """
    )
    #expect(output.status == 0, "\(output.stderr)")
    #expect(generated.contains(#"HTTPRule(method: "GET", path: "/v1/things/{id}", body: "", responseBody: "")"#))
    #expect(generated.contains(#"HTTPRule(method: "POST", path: "/v1/things:get", body: "*", responseBody: "")"#))
  }
}

import Foundation
import TestSupport
import Testing

/// README.md's "Generate a client from your own .proto", run exactly as written.
@Suite("README: generate a client from your own .proto", .serialized)
struct ReadmeWorkflowTests {
  /// The first `sh` block of the section.
  static func workflowScript() throws -> String {
    let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
    guard let section = readme.range(of: "## Generate a client from your own .proto") else {
      throw Subprocess.Failure(command: "README.md", status: 1, stderr: "section missing")
    }
    let rest = readme[section.upperBound...]
    guard let start = rest.range(of: "```sh\n"), let end = rest[start.upperBound...].range(of: "\n```") else {
      throw Subprocess.Failure(command: "README.md", status: 1, stderr: "no sh block in the section")
    }
    return String(rest[start.upperBound..<end.lowerBound])
  }

  @Test("The steps build a package from a fresh .proto whose client calls its server")
  func workflow() async throws {
    let script = try Self.workflowScript()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let output = try await Subprocess.run(
      URL(fileURLWithPath: "/bin/bash"),
      ["-euo", "pipefail", "-c", script],
      environment: [
        "SWIFT_RPC": Repository.root.path,
        // The plugin this test run built; the script would otherwise build it in the repository,
        // whose build folder `swift test` holds.
        "SWIFT_RPC_PLUGIN": Repository.binaries.appendingPathComponent("protoc-gen-swift-rpc").path,
      ],
      currentDirectory: folder,
      timeout: .seconds(900)
    )
    #expect(output.status == 0, "\(output.stdout.suffix(3000))\n\(output.stderr.suffix(3000))")
    #expect(output.stdout.contains("Hello, world"), "\(output.stdout.suffix(2000))")
  }
}

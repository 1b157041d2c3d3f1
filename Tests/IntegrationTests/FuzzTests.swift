import Foundation
import TestSupport
import Testing

@Suite("edge: fuzzing from /openapi.json", .serialized)
struct FuzzTests {
  @Test("schemathesis finds no server error (5xx) in the edge's API")
  func schemathesis() async throws {
    try await withEdge(edgeArguments: ["--rate-limit", "100000", "--rate-burst", "100000"]) { (edge: EdgeCluster) async throws in
      let schemathesis = Repository.python.deletingLastPathComponent().appendingPathComponent("schemathesis")
      let output = try await Subprocess.run(
        schemathesis,
        [
          "run", "http://127.0.0.1:\(edge.edge.port)/openapi.json",
          "-H", "Authorization: Bearer \(EdgeCluster.token())",
          "--checks", "not_a_server_error",
          "--max-examples", "40",
          "--seed", "20261122",
          "--workers", "1",
          "--max-time", "30",
        ],
        currentDirectory: FileManager.default.temporaryDirectory,
        timeout: .seconds(300)
      )
      #expect(output.status == 0, "\(output.stdout.suffix(4000))\(output.stderr.suffix(2000))")
      #expect(output.stdout.contains("passed"), "\(output.stdout.suffix(2000))")
    }
  }
}

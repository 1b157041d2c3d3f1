import Foundation
import ServiceKit
import TestSupport
import Testing

@Suite("Event loops follow the CPUs a process may use")
struct EventLoopSizingTests {
  @Test("Linux CPU lists")
  func cpuLists() {
    #expect(EventLoopSizing.countCPUs(inList: "0") == 1)
    #expect(EventLoopSizing.countCPUs(inList: "0-1") == 2)
    #expect(EventLoopSizing.countCPUs(inList: " 0,2-3,8\n") == 4)
    #expect(EventLoopSizing.countCPUs(inList: "") == nil)
    #expect(EventLoopSizing.countCPUs(inList: "3-1") == nil)
    #expect(EventLoopSizing.countCPUs(inList: "a-b") == nil)
  }

  @Test("EVENT_LOOPS wins; else the affinity, capped by NIO's count")
  func loopCount() throws {
    #expect(try EventLoopSizing.loopCount(variable: nil, allowedCPUs: 1, coreCount: 8) == 1)
    #expect(try EventLoopSizing.loopCount(variable: nil, allowedCPUs: 16, coreCount: 2) == 2)
    #expect(try EventLoopSizing.loopCount(variable: nil, allowedCPUs: nil, coreCount: 2) == 2)
    #expect(try EventLoopSizing.loopCount(variable: "3", allowedCPUs: 1, coreCount: 2) == 3)
    #expect(throws: ConfigurationError.self) { try EventLoopSizing.loopCount(variable: "0", allowedCPUs: 1, coreCount: 2) }
    #expect(throws: ConfigurationError.self) { try EventLoopSizing.loopCount(variable: "many", allowedCPUs: 1, coreCount: 2) }
  }

  @Test("user-service under taskset -c 0 runs one event loop; EVENT_LOOPS=3 runs three", arguments: [
    (environment: [String: String](), expected: 1),
    (environment: ["EVENT_LOOPS": "3"], expected: 3),
  ])
  func processes(environment: [String: String], expected: Int) async throws {
    let server = try await ServerProcess(
      URL(fileURLWithPath: "/usr/bin/taskset"),
      ["-c", "0", ServerProcess.binary("user-service").path, "--port", "0", "--db", Self.databasePath()],
      environment: environment
    )
    #expect(Self.eventLoopThreads(of: server.pid) == expected)
    #expect(await server.stop() == 0)
  }

  @Test("A bad EVENT_LOOPS stops the process with a message")
  func badVariable() async throws {
    let result = try await Subprocess.run(
      ServerProcess.binary("user-service"),
      ["--port", "0", "--db", Self.databasePath()],
      environment: ["EVENT_LOOPS": "zero"]
    )
    #expect(result.status != 0)
    #expect(result.stderr.contains("EVENT_LOOPS=zero is not a positive integer"))
  }

  private static func databasePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("loops-\(UUID().uuidString).db").path
  }

  /// NIO names each thread of its singleton event loop group `NIO-SGLTN-<group>-#<n>` (its
  /// thread pool's are `…-TP-#<n>`).
  private static func eventLoopThreads(of pid: Int32) -> Int {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.count { task in
      let name = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8)) ?? ""
      return name.wholeMatch(of: /NIO-SGLTN-[0-9]+-#[0-9]+\n?/) != nil
    }
  }
}

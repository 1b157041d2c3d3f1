public import Foundation

/// Runs a command to completion, for tests that drive real peers.
public enum Subprocess {
  public struct Failure: Error, CustomStringConvertible {
    public let command: String
    public let status: Int32
    public let stderr: String

    public init(command: String, status: Int32, stderr: String) {
      self.command = command
      self.status = status
      self.stderr = stderr
    }

    public var description: String { "\(self.command) exited with \(self.status): \(self.stderr)" }
  }

  public struct Output: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
  }

  /// Runs `executable` with `arguments`, feeding `stdin`, and returns what it printed.
  /// - Parameters:
  ///   - executable: The program.
  ///   - arguments: Its arguments.
  ///   - stdin: Bytes for its standard input.
  ///   - environment: Extra environment variables.
  ///   - timeout: How long it may run before it is killed.
  public static func run(
    _ executable: URL,
    _ arguments: [String],
    stdin: String = "",
    environment: [String: String] = [:],
    currentDirectory: URL? = nil,
    timeout: Duration = .seconds(120)
  ) async throws -> Output {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // The blocking reads and the wait run on threads of their own (`offload`), never on Swift
    // concurrency's small cooperative pool nor Dispatch's, which other tests need meanwhile.
    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(timeout.components.seconds * 1_000_000_000))) {
      if process.isRunning { process.terminate() }
    }
    let stdoutReader = output.fileHandleForReading
    let stderrReader = errors.fileHandleForReading
    let stdinWriter = input.fileHandleForWriting
    async let stdoutData = offload { stdoutReader.readDataToEndOfFile() }
    async let stderrData = offload { stderrReader.readDataToEndOfFile() }
    try await offload {
      stdinWriter.write(Data(stdin.utf8))
      try? stdinWriter.close()
    }
    let (stdoutBytes, stderrBytes) = try await (stdoutData, stderrData)
    try await offload { process.waitUntilExit() }
    return Output(
      status: process.terminationStatus,
      stdout: String(decoding: stdoutBytes, as: UTF8.self),
      stderr: String(decoding: stderrBytes, as: UTF8.self)
    )
  }

  /// Runs a script of Tests/Python with the venv's interpreter; fails unless it exits 0.
  /// - Parameters:
  ///   - script: The script's file name.
  ///   - arguments: Its arguments.
  ///   - stdin: Its standard input.
  public static func python(_ script: String, _ arguments: [String], stdin: String = "") async throws -> String {
    let path = Repository.root.appendingPathComponent("Tests/Python/\(script)").path
    let output = try await Self.run(Repository.python, [path] + arguments, stdin: stdin)
    guard output.status == 0 else {
      throw Failure(command: "python \(script) \(arguments.joined(separator: " "))", status: output.status, stderr: output.stderr)
    }
    return output.stdout
  }
}

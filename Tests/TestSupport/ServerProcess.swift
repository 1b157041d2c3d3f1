public import Foundation
import Synchronization

/// A server running as a real process: started from this build's binaries (or any command),
/// ready once it prints its listening line, stopped with a signal.
public final class ServerProcess: @unchecked Sendable {
  // @unchecked: `process` is only mutated before `start` returns; output is behind a Mutex.
  public let port: Int
  private let process: Process
  private let output: Output

  private final class Output: Sendable {
    let stdout = Mutex("")
    let stderr = Mutex("")
  }

  /// The path of one of this package's executables, such as `interop-server`.
  public static func binary(_ name: String) -> URL {
    Repository.binaries.appendingPathComponent(name)
  }

  /// Starts a command and waits for a line on stdout from which `parsePort` reads the port.
  /// - Parameters:
  ///   - executable: The program.
  ///   - arguments: Its arguments.
  ///   - environment: Extra environment variables.
  ///   - parsePort: Reads the port from a stdout line, or `nil` for other lines.
  ///   - timeout: How long to wait for it.
  public init(
    _ executable: URL,
    _ arguments: [String],
    environment: [String: String] = [:],
    currentDirectory: URL? = nil,
    parsePort: @escaping @Sendable (String) -> Int? = ServerProcess.listeningPort,
    timeout: Duration = .seconds(30)
  ) async throws {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let stdoutPipe = Pipe()
    let stderrPipe = Pipe()
    process.standardOutput = stdoutPipe
    process.standardError = stderrPipe
    process.standardInput = FileHandle.nullDevice
    let output = Output()
    let portFound = AsyncStream<Int>.makeStream()
    stdoutPipe.fileHandleForReading.readabilityHandler = { handle in
      let data = handle.availableData
      guard !data.isEmpty else {
        handle.readabilityHandler = nil
        portFound.continuation.finish()
        return
      }
      let text = String(decoding: data, as: UTF8.self)
      let all = output.stdout.withLock { $0 += text; return $0 }
      for line in all.split(separator: "\n") {
        if let port = parsePort(String(line)) { portFound.continuation.yield(port) }
      }
    }
    stderrPipe.fileHandleForReading.readabilityHandler = { handle in
      let data = handle.availableData
      if data.isEmpty {
        handle.readabilityHandler = nil
      } else {
        output.stderr.withLock { $0 += String(decoding: data, as: UTF8.self) }
      }
    }
    try process.run()
    self.process = process
    self.output = output
    let timer = Task {
      try await Task.sleep(for: timeout)
      portFound.continuation.finish()
    }
    var found: Int?
    for await port in portFound.stream {
      found = port
      break
    }
    timer.cancel()
    guard let found else {
      process.terminate()
      throw Subprocess.Failure(
        command: executable.lastPathComponent,
        status: process.isRunning ? -1 : process.terminationStatus,
        stderr: output.stderr.withLock { $0 }
      )
    }
    self.port = found
  }

  /// Reads `listening HOST:PORT`, the line every server of this project prints.
  public static let listeningPort: @Sendable (String) -> Int? = { line in
    guard line.hasPrefix("listening "), let colon = line.lastIndex(of: ":") else { return nil }
    return Int(line[line.index(after: colon)...])
  }

  /// Reads `LISTENING PORT`, the line the Python peers print.
  public static let pythonListeningPort: @Sendable (String) -> Int? = { line in
    guard line.hasPrefix("LISTENING ") else { return nil }
    return Int(line.dropFirst("LISTENING ".count))
  }

  /// What the process wrote to stderr so far.
  public var stderr: String { self.output.stderr.withLock { $0 } }

  /// Waits until the process has written `text` to stderr. What a process writes before it
  /// answers a request may reach this side of the pipe only after the answer, so a test that
  /// checks a log line right after a response waits for it rather than reading once.
  /// - Returns: Whether the text appeared within `timeout`.
  public func stderrContains(_ text: String, within timeout: Duration = .seconds(5)) async -> Bool {
    let end = ContinuousClock.now + timeout
    while !self.stderr.contains(text) {
      guard ContinuousClock.now < end else { return false }
      try? await Task.sleep(for: .milliseconds(10))
    }
    return true
  }

  /// Whether the process still runs.
  public var isRunning: Bool { self.process.isRunning }

  /// The process ID.
  public var pid: Int32 { self.process.processIdentifier }

  /// Sends `signal` and waits for the process to exit.
  /// - Returns: Its exit status.
  @discardableResult
  public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32 {
    if self.process.isRunning { kill(self.process.processIdentifier, signal) }
    let end = ContinuousClock.now + timeout
    while self.process.isRunning && ContinuousClock.now < end {
      try? await Task.sleep(for: .milliseconds(20))
    }
    if self.process.isRunning {
      kill(self.process.processIdentifier, SIGKILL)
      self.process.waitUntilExit()
      return -9
    }
    return self.process.terminationStatus
  }

  deinit {
    if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
  }
}

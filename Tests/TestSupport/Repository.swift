public import Foundation

/// Paths in this checkout, for tests that run the project's scripts and binaries.
public enum Repository {
  /// The repository root.
  public static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    // Tests/TestSupport/Repository.swift → the root is three levels up.
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
  }()

  /// The folder SwiftPM put this build's binaries in (the test bundle's own folder).
  public static let binaries: URL = {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var folder = executable.deletingLastPathComponent()
    // On Linux the test binary is `<bin>/swift-rpcPackageTests.xctest`.
    while !folder.path.hasSuffix("/debug") && !folder.path.hasSuffix("/release") && folder.path != "/" {
      folder.deleteLastPathComponent()
    }
    return folder
  }()

  /// The Python interpreter of the test venv: `RPC_TEST_PYTHON`, else `.venv/bin/python`.
  public static var python: URL {
    if let path = ProcessInfo.processInfo.environment["RPC_TEST_PYTHON"], !path.isEmpty {
      return URL(fileURLWithPath: path)
    }
    return Self.root.appendingPathComponent(".venv/bin/python")
  }
}

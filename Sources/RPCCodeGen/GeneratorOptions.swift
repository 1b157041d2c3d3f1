/// The plugin's parameters: `--swift-rpc_opt=Key=Value,Key=Value`.
public struct GeneratorOptions: Sendable, Equatable {
  /// The C module holding the protoc-c output of the files (`CModule=CContracts`).
  public var cModule = "CContracts"
  /// `public` (default) or `internal` (`Visibility=internal`).
  public var visibility = "public"
  /// Swift modules of proto packages generated elsewhere
  /// (`PackageModule=grpc.testing:InteropTesting`, repeatable).
  public var packageModules: [String: String] = [:]
  /// Whether to generate service code (`Services=false` for messages only).
  public var generateServices = true

  public init() {}

  /// Parses the parameter string protoc passes.
  /// - Parameter parameter: Comma-separated `Key=Value` pairs.
  public init(parameter: String) throws(CodeGenError) {
    for pair in parameter.split(separator: ",") where !pair.isEmpty {
      let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2 else {
        throw CodeGenError("protoc-gen-swift-rpc: option '\(pair)' is not of the form Key=Value")
      }
      switch parts[0] {
      case "CModule":
        self.cModule = parts[1]
      case "Visibility":
        guard parts[1] == "public" || parts[1] == "internal" else {
          throw CodeGenError("protoc-gen-swift-rpc: Visibility must be public or internal, not '\(parts[1])'")
        }
        self.visibility = parts[1]
      case "PackageModule":
        let mapping = parts[1].split(separator: ":", maxSplits: 1).map(String.init)
        guard mapping.count == 2 else {
          throw CodeGenError("protoc-gen-swift-rpc: PackageModule must be proto.package:SwiftModule, not '\(parts[1])'")
        }
        self.packageModules[mapping[0]] = mapping[1]
      case "Services":
        self.generateServices = parts[1] != "false"
      default:
        throw CodeGenError(
          "protoc-gen-swift-rpc: unknown option '\(parts[0])' (known: CModule, Visibility, PackageModule, Services)"
        )
      }
    }
  }
}

// swift-tools-version:6.1
// Benchmarks live in their own package so that `make test` never builds grpc-swift or
// swift-protobuf. Run them with `make bench` (scripts/bench.py).
import PackageDescription

let settings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
  name: "swift-rpc-benchmarks",
  platforms: [.macOS(.v15)],
  dependencies: [
    .package(name: "swift-rpc", path: "../"),
    .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
  ],
  targets: [
    // swift-protobuf's generated code for the same contracts, from protoc-gen-swift 1.39.
    .target(
      name: "SwiftProtobufContracts",
      dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
      swiftSettings: settings
    ),
    // Encode and decode of an order with 10 items: ours (protoc-c) against swift-protobuf.
    .executableTarget(
      name: "codec-bench",
      dependencies: [
        "SwiftProtobufContracts",
        .product(name: "Contracts", package: "swift-rpc"),
        .product(name: "RPCProtobufC", package: "swift-rpc"),
        .product(name: "RPCCore", package: "swift-rpc"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: settings
    ),
    // bench.v1.Echo/Echo on grpc-swift 2 with its NIO HTTP/2 transport, the comparison server.
    .executableTarget(
      name: "grpc-swift-echo-server",
      dependencies: [
        "SwiftProtobufContracts",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "NIOCore", package: "swift-nio"),
      ],
      swiftSettings: settings
    ),
    // SwiftNIO's HTTP/1.1 codec answering a fixed body: the per-request floor under the edge.
    .executableTarget(
      name: "http1-floor",
      dependencies: [
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: settings
    ),
    // Closed-loop load from our client: QPS and latency percentiles.
    .executableTarget(
      name: "rpc-load",
      dependencies: [
        .product(name: "Contracts", package: "swift-rpc"),
        .product(name: "RPCCore", package: "swift-rpc"),
        .product(name: "RPCTransport", package: "swift-rpc"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: settings
    ),
  ]
)

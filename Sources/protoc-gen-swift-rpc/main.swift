import RPCCodeGen

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// protoc-gen-swift-rpc: reads a CodeGeneratorRequest on stdin, writes a CodeGeneratorResponse on
// stdout. protoc prints a response's error and fails the build, so every unsupported construct
// reaches the user as one clear line.

func readStandardInput() -> [UInt8] {
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
    if count <= 0 { break }
    bytes.append(contentsOf: chunk[..<count])
  }
  return bytes
}

let output: [UInt8]
do {
  let request = try DescriptorReader.read(readStandardInput())
  let files = try Generator().generate(request)
  output = ResponseWriter.pack(files: files, error: nil)
} catch {
  output = ResponseWriter.pack(files: [], error: error.message)
}
output.withUnsafeBytes { bytes in
  var offset = 0
  while offset < bytes.count {
    let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
    if written <= 0 { exit(1) }
    offset += written
  }
}

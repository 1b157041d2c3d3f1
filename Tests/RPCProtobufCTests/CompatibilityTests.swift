import Foundation
import TestSupport
import Testing

/// Byte-level compatibility with the reference implementation: Python `protobuf` from PyPI.
@Suite("Codec compatibility with Python protobuf")
struct CompatibilityTests {
  @Test("Python-encoded vectors decode in Swift to the same values")
  func pythonToSwift() async throws {
    let output = try await Subprocess.python("codec_vectors.py", ["encode"])
    let vectors = try JSONDecoder().decode([String: String].self, from: Data(output.utf8))
    #expect(vectors.count == 5)
    for (name, hex) in vectors.sorted(by: { $0.key < $1.key }) {
      let bytes = try #require([UInt8](hex: hex))
      #expect(try CodecVectors.decodesToCanonical(name, bytes), "\(name) decoded differently")
    }
  }

  @Test("Swift-encoded vectors decode in Python to the same values")
  func swiftToPython() async throws {
    let vectors = try CodecVectors.encodeAll().mapValues(\.hex)
    let input = String(decoding: try JSONEncoder().encode(vectors), as: UTF8.self)
    let output = try await Subprocess.python("codec_vectors.py", ["decode"], stdin: input)
    let results = try JSONDecoder().decode([String: String].self, from: Data(output.utf8))
    #expect(results.count == vectors.count)
    for (name, result) in results.sorted(by: { $0.key < $1.key }) {
      #expect(result == "ok", "\(name): \(result)")
    }
  }

  @Test("Without maps, Swift writes exactly the bytes Python writes")
  func byteIdentical() async throws {
    let output = try await Subprocess.python("codec_vectors.py", ["encode"])
    let python = try JSONDecoder().decode([String: String].self, from: Data(output.utf8))
    let swift = try CodecVectors.encodeAll().mapValues(\.hex)
    // `everything` has maps, whose entry order the spec leaves open.
    for name in ["scalars_extremes", "repeated_values", "order_with_items", "empty_everything"] {
      #expect(swift[name] == python[name], "\(name) differs")
    }
  }
}

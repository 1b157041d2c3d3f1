import BenchV1
import Foundation
import OrderV1
import RPCCore
import RPCProtobufC
import SwiftProtobuf
import SwiftProtobufContracts

#if canImport(Glibc)
import Glibc
#endif

// Encode and decode of a representative order (10 line items), ours against swift-protobuf, in
// the same process and run. Each measurement is the median of 15 rounds of `iterations` calls,
// after a warm-up; the figure is nanoseconds per call.

let iterations = ProcessInfo.processInfo.environment["ITERATIONS"].flatMap(Int.init) ?? 20_000

func nanoseconds(_ body: () throws -> Void) rethrows -> Double {
  var samples: [Double] = []
  for round in 0..<16 {
    let start = ContinuousClock.now
    for _ in 0..<iterations { try body() }
    let elapsed = ContinuousClock.now - start
    if round > 0 {  // the first round warms caches and allocators
      samples.append((Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(iterations))
    }
  }
  return samples.sorted()[samples.count / 2]
}

let ours: Order = {
  let items = (0..<10).map { index in
    LineItem(sku: "SKU-\(1000 + index)", quantity: Int32(index + 1), unitPriceCents: Int64(1999 + index))
  }
  return Order(
    id: "0f8e3c1a-6f4b-4c7e-9a57-1d2b3c4d5e6f",
    userId: "b1946ac9-2b3c-4d5e-8f9a-0b1c2d3e4f5a",
    items: items,
    status: .created,
    totalCents: items.reduce(Int64(0)) { $0 + Int64($1.quantity) * $1.unitPriceCents },
    createTime: Timestamp(seconds: 1_700_000_000, nanos: 123_456_789),
    requestId: "checkout-2026-11-22-0001"
  )
}()

var theirs = Order_V1_Order()
theirs.id = ours.id
theirs.userID = ours.userId
theirs.items = ours.items.map { item in
  var line = Order_V1_LineItem()
  line.sku = item.sku
  line.quantity = item.quantity
  line.unitPriceCents = item.unitPriceCents
  return line
}
theirs.status = .created
theirs.totalCents = ours.totalCents
theirs.createTime = .init(seconds: 1_700_000_000, nanos: 123_456_789)
theirs.requestID = ours.requestId

let oursBytes = try ours.serializedBytes()
let theirBytes: [UInt8] = try theirs.serializedBytes()
precondition(oursBytes == theirBytes, "the two encodings differ")

var sink = 0
let oursEncode = try nanoseconds { sink &+= try ours.serializedBytes().count }
let theirsEncode = try nanoseconds { sink &+= (try theirs.serializedBytes() as [UInt8]).count }
let oursDecode = try nanoseconds { sink &+= try Order(serializedBytes: oursBytes).items.count }
let theirsDecode = try nanoseconds { sink &+= try Order_V1_Order(serializedBytes: theirBytes).items.count }

func row(_ name: String, _ ours: Double, _ theirs: Double) {
  let ratio = theirs / ours
  print("| \(name) | \(Int(ours.rounded())) ns | \(Int(theirs.rounded())) ns | \(String(format: "%.2f", ratio))x |")
}
print("Order with 10 line items, \(oursBytes.count) bytes; median of 15 rounds of \(iterations) calls")
print("| operation | swift-rpc (protoc-c) | swift-protobuf 1.39 | speed-up |")
print("| --- | --- | --- | --- |")
row("encode", oursEncode, theirsEncode)
row("decode", oursDecode, theirsDecode)
if sink == 42 { print("") }

// Where decoding time goes: validation and protobuf-c unpack alone (a conversion that does
// nothing), against the whole decode. Printed to stderr; BENCHMARKS.md reports it.
let unpackOnly = try nanoseconds {
  sink &+= try oursBytes.withUnsafeBytes { bytes in
    try ProtobufCCodec.decode(bytes, descriptor: Order._protobufCDescriptor, limits: .default) { _ in 1 }
  }
}
FileHandle.standardError.write("decode breakdown: validate+unpack \(Int(unpackOnly)) ns, copy into Swift values \(Int(oursDecode - unpackOnly)) ns\n".data(using: .utf8)!)

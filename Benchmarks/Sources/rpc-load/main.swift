import ArgumentParser
import BenchV1
import RPCCore
import RPCTransport

/// Closed-loop load from our client: `concurrency` calls in flight until `requests` are done.
@main
struct RPCLoad: AsyncParsableCommand {
  @Option var port: Int
  @Option var requests: Int = 100_000
  @Option var concurrency: Int = 128
  @Option var payloadBytes: Int = 64

  func run() async throws {
    let transport = HTTP2ClientTransport(host: "127.0.0.1", port: self.port)
    let client = Echo.Client(wrapping: RPCClient(transport: transport))
    let request = EchoRequest(payload: [UInt8](repeating: 120, count: self.payloadBytes))
    // Warm up the connection.
    for _ in 0..<1000 { _ = try await client.echo(request) }
    let perWorker = self.requests / self.concurrency
    let start = ContinuousClock.now
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
      for _ in 0..<self.concurrency {
        group.addTask {
          var samples: [Double] = []
          samples.reserveCapacity(perWorker)
          for _ in 0..<perWorker {
            let begin = ContinuousClock.now
            _ = try await client.echo(request)
            let elapsed = ContinuousClock.now - begin
            samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
          }
          return samples
        }
      }
      return try await group.reduce(into: [Double]()) { $0 += $1 }
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let sorted = latencies.sorted()
    func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
    print("requests=\(sorted.count) milliseconds=\(Int(seconds * 1000)) qps=\(Int(Double(sorted.count) / seconds)) p50_us=\(Int(percentile(0.5))) p99_us=\(Int(percentile(0.99)))")
    transport.close()
  }
}

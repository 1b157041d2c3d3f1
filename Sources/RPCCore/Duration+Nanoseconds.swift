extension Duration {
  /// Whole nanoseconds, at least zero, as NIO's time amounts take them; saturates rather than
  /// overflowing for durations beyond about 292 years.
  public var nanosecondsClampedToZero: Int64 {
    let (seconds, attoseconds) = self.components
    guard seconds >= 0 else { return 0 }
    let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    let fraction = attoseconds / 1_000_000_000
    guard !overflow, whole <= .max - fraction else { return .max }
    return max(0, whole + fraction)
  }
}

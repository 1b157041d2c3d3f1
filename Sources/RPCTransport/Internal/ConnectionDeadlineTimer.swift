internal import NIOCore
internal import RPCCore

/// One timer per connection for the deadlines of all its calls.
///
/// A NIO timer per call costs a heap insertion, a removal and a few allocations, on every call,
/// though nearly every call ends long before its deadline. A connection instead keeps one timer,
/// set no later than the earliest deadline it has seen: a call that ends in time costs nothing
/// more, and a later deadline does not move the timer. When it fires, the connection expires the
/// calls whose deadlines passed and sets it again for the earliest one left.
struct ConnectionDeadlineTimer {
  private var scheduled: (task: Scheduled<Void>, at: ContinuousClock.Instant)?

  /// Makes sure `fire` runs no later than `deadline` (it may run earlier, for another call).
  mutating func ensureFires(
    by deadline: ContinuousClock.Instant,
    on eventLoop: NIOIsolatedEventLoop,
    _ fire: @escaping () -> Void
  ) {
    if let scheduled = self.scheduled {
      if scheduled.at <= deadline { return }
      scheduled.task.cancel()
    }
    let delay = ContinuousClock.now.duration(to: deadline)
    let task = eventLoop.scheduleTask(in: .nanoseconds(delay.nanosecondsClampedToZero), fire)
    self.scheduled = (task, deadline)
  }

  /// Call first thing when the timer fired, before setting it again.
  mutating func fired() {
    self.scheduled = nil
  }

  mutating func cancel() {
    self.scheduled?.task.cancel()
    self.scheduled = nil
  }
}

public import NIOCore

/// Runs Swift tasks on a NIO event loop.
///
/// A server handler's task prefers the event loop of the connection that received the call, so
/// the request is decoded, handled and answered on one thread: no hop to the global concurrency
/// pool and back per call. A handler that awaits something running elsewhere resumes here too.
/// The edge uses it the same way for the call behind each HTTP request.
public final class EventLoopExecutor: TaskExecutor {
  /// The loop the jobs run on.
  public let eventLoop: any EventLoop

  /// - Parameter eventLoop: The loop the jobs run on.
  public init(eventLoop: any EventLoop) {
    self.eventLoop = eventLoop
  }

  public func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    self.eventLoop.execute {
      job.runSynchronously(on: self.asUnownedTaskExecutor())
    }
  }
}

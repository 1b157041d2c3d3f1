internal import NIOCore

/// Runs Swift tasks on a NIO event loop.
///
/// A server handler's task prefers the event loop of the connection that received the call, so
/// the request is decoded, handled and answered on one thread: no hop to the global concurrency
/// pool and back per call. A handler that awaits something running elsewhere resumes here too.
final class EventLoopExecutor: TaskExecutor {
  let eventLoop: any EventLoop

  init(eventLoop: any EventLoop) {
    self.eventLoop = eventLoop
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    self.eventLoop.execute {
      job.runSynchronously(on: self.asUnownedTaskExecutor())
    }
  }
}

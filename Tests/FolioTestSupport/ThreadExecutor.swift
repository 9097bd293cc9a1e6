import Foundation
import Synchronization

/// A thread of its own for async work that blocks: tasks that prefer it
/// (`withTaskExecutorPreference`) run there instead of on Swift's shared pool, which has one
/// thread per core. An in-process command works synchronously (git, signatures, files) for
/// up to seconds, and two of them on two cores would leave no pool thread for every other
/// test's continuations (a timeout test measured 23 s instead of 0.2 s).
public final class ThreadExecutor: TaskExecutor {
    /// Jobs to run; nil asks the thread to end.
    private let jobs = Mutex<[UnownedJob?]>([])
    private let ready = DispatchSemaphore(value: 0)

    public init() {
        Thread.detachNewThread { [self] in
            while true {
                ready.wait()
                guard let job = jobs.withLock({ $0.removeFirst() }) else { return }
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    /// Ends the thread once the jobs before this call have run.
    public func stop() {
        jobs.withLock { $0.append(nil) }
        ready.signal()
    }
}

extension ThreadExecutor {
    /// Runs `work` on a thread of its own and reads the clock there, before and after: a
    /// clock read once the task is back on the shared pool counts the wait for a pool thread
    /// other tests hold (21.8 s once, for a 0.2 s timeout).
    public static func timed<T, Failure: Error>(_ work: () async throws(Failure) -> T) async throws(Failure) -> (T, Duration) {
        let thread = ThreadExecutor()
        defer { thread.stop() }
        return try await withTaskExecutorPreference(thread) { () async throws(Failure) -> (T, Duration) in
            let clock = ContinuousClock()
            let start = clock.now
            let value = try await work()
            return (value, clock.now - start)
        }
    }
}

import Foundation
import Synchronization

/// Work started on another thread now and waited for when its value is needed: loading a
/// cache file while the main thread lists references, for instance. The work must not
/// touch what the caller uses meanwhile (libgit2 objects stay on the caller's thread).
package final class Prefetch<Value: Sendable>: Sendable {
    private let group = DispatchGroup()
    private let result = Mutex<Value?>(nil)

    /// - Parameter concurrent: run on a concurrent queue instead of the prefetch thread
    ///   (for work that may start while the prefetch thread is still busy loading).
    package init(concurrent: Bool = false, _ work: @escaping @Sendable () -> Value) {
        group.enter()
        guard !prefetchOff else {
            // `FOLIO_PREFETCH_OFF=1` (Benchmarks/build.sh): the work runs here and now.
            result.withLock { $0 = work() }
            group.leave()
            return
        }
        (concurrent ? DispatchQueue.global(qos: .userInitiated) : prefetchQueue).async {
            let value = work()
            self.result.withLock { $0 = value }
            self.group.leave()
        }
    }

    /// The value, once the work has finished.
    package var value: Value {
        group.wait()
        return result.withLock { $0! }
    }
}

private let prefetchOff = ProcessInfo.processInfo.environment["FOLIO_PREFETCH_OFF"] == "1"

/// One background thread for all prefetches, in the order they were asked for (two cores
/// are common on CI: the main thread keeps one, prefetching takes the other).
private let prefetchQueue = DispatchQueue(label: "folio.prefetch", qos: .userInitiated)

/// `transform` of each index in `0..<count`, computed on all cores, in index order (each
/// index is written by one thread only). For work one thread would otherwise do alone:
/// checking 10,000 signatures, compressing a manifest's blocks, making its version files.
package func concurrentMap<Element>(_ count: Int, _ transform: @Sendable (Int) -> Element) -> [Element] {
    // Strided chunks, a few per core: items of uneven cost still spread evenly.
    let chunks = max(1, min(count, ProcessInfo.processInfo.activeProcessorCount * 4))
    return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
        // Safe: each index is initialized by exactly one thread, and the buffer outlives
        // concurrentPerform, which returns once every thread is done.
        nonisolated(unsafe) let output = buffer
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            for index in stride(from: chunk, to: count, by: chunks) {
                (output.baseAddress! + index).initialize(to: transform(index))
            }
        }
        initialized = count
    }
}

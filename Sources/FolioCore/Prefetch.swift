import Foundation

/// Work started on another thread now and waited for when its value is needed: loading a
/// cache file while the main thread lists references, for instance. The work must not
/// touch what the caller uses meanwhile (libgit2 objects stay on the caller's thread).
public final class Prefetch<Value>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Value?

    public init(_ work: @escaping @Sendable () -> Value) {
        group.enter()
        prefetchQueue.async {
            self.result = work()
            self.group.leave()
        }
    }

    /// The value, once the work has finished.
    public var value: Value {
        group.wait()
        return result!
    }
}

/// One background thread for all prefetches, in the order they were asked for (two cores
/// are common on CI: the main thread keeps one, prefetching takes the other).
private let prefetchQueue = DispatchQueue(label: "folio.prefetch", qos: .userInitiated)

import CLibGit2
import Dispatch

/// Process-wide libgit2 set-up: `git_libgit2_init` runs exactly once, on first use.
package enum Libgit2 {
    private static let initialized: Bool = {
        git_libgit2_init()
        // Objects are not re-hashed on every read, as in git; see shim.h.
        folio_git_set_strict_hash_verification(0)
        // Folio reads each object once per operation (walks keep their own small caches), so
        // libgit2's locked object cache only costs time: about 15% of a history walk.
        folio_git_set_caching(0)
        return true
    }()

    static func ensureInitialized() {
        _ = initialized
    }

    private static let preparation = DispatchGroup()

    /// Starts the set-up on another thread, for a program to parse its arguments
    /// meanwhile: most of `git_libgit2_init` is its TLS library loading the system's CA
    /// certificates, some milliseconds that every command would otherwise wait for.
    /// A program that calls this must call `finishPreparation()` before it exits.
    package static func prepareInBackground() {
        preparation.enter()
        DispatchQueue.global(qos: .userInitiated).async {
            ensureInitialized()
            preparation.leave()
        }
    }

    /// Waits for `prepareInBackground()`'s set-up to end. `exit` runs the TLS library's
    /// and the C++ runtime's exit handlers, which tear down locks that a set-up still
    /// running on its thread then takes: a crash in `pthread_rwlock_wrlock` at exit on
    /// paths that never touch git (`--help`, usage errors), about 2% of runs.
    package static func finishPreparation() {
        preparation.wait()
    }

    /// The message of the last libgit2 error on this thread, or a fallback.
    static func lastErrorMessage() -> String {
        guard let error = git_error_last(), let message = error.pointee.message else {
            return "unknown libgit2 error"
        }
        return String(cString: message)
    }

    /// Throws a generic error for a failed libgit2 call, naming what was attempted.
    static func check(_ code: Int32, _ what: @autoclosure () -> String) throws {
        guard code < 0 else { return }
        let detail = lastErrorMessage()
        if code == GIT_EEXISTS.rawValue {
            throw GitError(.referenceExists, "\(what()): \(detail)")
        }
        throw GitError(.other, "\(what()) failed: \(detail)")
    }
}

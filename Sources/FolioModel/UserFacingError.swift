/// An error a person reads: what went wrong, what to do about it, and the exit code the
/// command line ends with. Folio's own errors (`FolioError`) and libgit2's (`GitError`)
/// conform, so the command line handles them one way.
package protocol UserFacingError: Error, CustomStringConvertible, Sendable {
    var message: String { get }
    var hint: String? { get }
    /// 1: problems found; 2: usage or configuration; 3: inconclusive; 4: a file could not
    /// be written (disk full, permissions).
    var exitCode: Int32 { get }
}

extension UserFacingError {
    package var description: String {
        guard let hint else { return message }
        return "\(message)\nhint: \(hint)"
    }
}

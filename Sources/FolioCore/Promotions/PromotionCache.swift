import Foundation
import FolioGit
import FolioSigning

/// Remembers, in `<git dir>/folio/promotion-tags`, every tag object whose signature
/// verified: by which key, and what the tag says (so a rebuild need not read the object
/// again). A tag object's id is the hash of its bytes, signature included, so a tag that
/// verified once verifies forever and says the same forever: only the reading and the
/// Ed25519 check are skipped. Whether the key may sign (allowed_signers on main, validity
/// dates) and whether the trailers name versions on main are decided again every time.
/// `folio verify` does not use it.
final class PromotionCache: @unchecked Sendable {
    private let file: CacheFile
    private let lock = NSLock()
    /// Tag id → [tag id, key line] + `Promotion.cacheFields`, as on disk.
    private var records: [ObjectID: [String]] = [:]
    private var keys: [String: SSHPublicKey] = [:]
    /// Records added since loading, and whether the file on disk can take them at its end.
    private var added: [[String]] = []
    private let appendable: Bool

    init(gitDirectory: String) {
        file = CacheFile(gitDirectory: gitDirectory, name: "promotion-tags", format: 2)
        let loaded = file.load()
        for record in loaded where record.count == 12 {
            guard let id = ObjectID(hex: record[0]) else { continue }
            records[id] = record
        }
        appendable = !loaded.isEmpty
    }

    /// The promotion a tag object made before, with the key that verified it.
    /// (Under the lock: signatures checked on other threads are remembered meanwhile.)
    func promotion(_ tag: ObjectID, name: String, environment: String, sequence: Int) -> Promotion? {
        guard let record = lock.withLock({ records[tag] }), let key = key(record[1]) else { return nil }
        return Promotion(cached: record, key: key, name: name, environment: environment, sequence: sequence, reference: tag)
    }

    func remember(_ promotion: Promotion, _ key: SSHPublicKey) {
        guard let tag = promotion.tagObject else { return }
        lock.withLock {
            guard records[tag] == nil else { return }
            let record = [tag.hex, key.line] + promotion.cacheFields
            records[tag] = record
            added.append(record)
        }
    }

    /// Adds what was learnt to the file: at its end (a new promotion adds one line), or as
    /// a new file when there was none.
    func save() {
        let (new, all): ([[String]], [[String]]?) = lock.withLock {
            defer { added = [] }
            return (added, appendable ? nil : records.keys.sorted().map { records[$0]! })
        }
        if let all {
            if !new.isEmpty { file.save(all) }
        } else {
            file.append(new)
        }
    }

    /// Called from one thread only (while the log is read).
    private func key(_ line: String) -> SSHPublicKey? {
        if let known = keys[line] { return known }
        guard let key = try? SSHPublicKey(line: line) else { return nil }
        keys[line] = key
        return key
    }
}

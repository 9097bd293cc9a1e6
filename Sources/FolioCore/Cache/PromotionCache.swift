import Foundation
import FolioGit
import FolioSigning
import Synchronization

/// Remembers, in `<git dir>/folio/promotion-tags`, every tag object whose signature
/// verified: by which key, and what the tag says (so a rebuild need not read the object
/// again). A tag object's id is the hash of its bytes, signature included, so a tag that
/// verified once verifies forever and says the same forever: only the reading and the
/// Ed25519 check are skipped. Whether the key may sign (allowed_signers on main, validity
/// dates) and whether the trailers name versions on main are decided again every time.
/// `folio verify` does not use it.
final class PromotionCache: Sendable {
    /// What is kept of a tag object that verified: its id, the key line that verified it,
    /// and what it says.
    struct Record: Codable, Sendable {
        struct Tagger: Codable, Sendable {
            var name: String
            var email: String
            var seconds: Int64
            var offsetMinutes: Int
        }

        var tag: ObjectID
        var key: String
        var headerName: String
        var objectType: String
        var target: ObjectID
        /// nil for a tag without a tagger line.
        var tagger: Tagger?
        var subject: String
        var note: String
        var trailerValues: [String]
    }

    private struct State {
        var records: [ObjectID: Record] = [:]
        /// Parsed key lines, so that 10,000 tags by one key parse it once.
        var keys: [String: SSHPublicKey] = [:]
        /// Records added since loading.
        var added: [Record] = []
    }

    private let file: CacheFile
    private let state: Mutex<State>
    /// Whether the file on disk can take new records at its end.
    private let appendable: Bool

    init(gitDirectory: String) {
        file = CacheFile(gitDirectory: gitDirectory, name: "promotion-tags", format: 3)
        let loaded = file.load(Record.self)
        var records: [ObjectID: Record] = [:]
        for record in loaded { records[record.tag] = record }
        state = Mutex(State(records: records))
        appendable = !loaded.isEmpty
    }

    /// The promotion a tag object made before, with the key that verified it. Signatures
    /// checked on other threads are remembered meanwhile, so every access takes the lock.
    func promotion(_ tag: ObjectID, name: String, environment: String, sequence: Int) -> Promotion? {
        let found: (Record, SSHPublicKey)? = state.withLock { state in
            guard let record = state.records[tag] else { return nil }
            if let key = state.keys[record.key] { return (record, key) }
            guard let key = try? SSHPublicKey(line: record.key) else { return nil }
            state.keys[record.key] = key
            return (record, key)
        }
        guard let (record, key) = found else { return nil }
        return Promotion(cached: record, key: key, name: name, environment: environment, sequence: sequence, reference: tag)
    }

    func remember(_ promotion: Promotion, _ key: SSHPublicKey) {
        guard let tag = promotion.tagObject else { return }
        state.withLock { state in
            guard state.records[tag] == nil else { return }
            let record = Record(tag: tag, key: key.line, promotion: promotion)
            state.records[tag] = record
            state.added.append(record)
        }
    }

    /// Adds what was learnt to the file: at its end (a new promotion adds one line), or as
    /// a new file when there was none.
    func save() {
        let (new, all): ([Record], [Record]?) = state.withLock { state in
            defer { state.added = [] }
            return (state.added, appendable ? nil : state.records.keys.sorted().map { state.records[$0]! })
        }
        if let all {
            if !new.isEmpty { file.save(all) }
        } else {
            file.append(new)
        }
    }
}

extension PromotionCache.Record {
    init(tag: ObjectID, key: String, promotion: Promotion) {
        self.tag = tag
        self.key = key
        headerName = promotion.headerName
        objectType = promotion.objectType
        target = promotion.target
        tagger = promotion.tagger.map { Tagger(name: $0.name, email: $0.email, seconds: Int64($0.date.timeIntervalSince1970), offsetMinutes: $0.timeZoneOffsetMinutes) }
        subject = promotion.subject
        note = promotion.note
        trailerValues = promotion.trailerValues
    }
}

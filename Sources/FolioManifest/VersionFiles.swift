import Foundation
import FolioCore
import FolioGit
import FolioModel
import FolioSigning
import FolioTemplate

extension ManifestBuilder {
    /// The version files at `needed` (path → the trailer that promoted it): from the cache,
    /// else made from the trailer's blob (which verification tied to that version on main)
    /// and the partials of the version's first commit. Both are fixed by the blob id and
    /// that commit, so the bytes are cached under them. Reading from git happens on this
    /// thread (libgit2); loading the YAML and encoding the JSON, a first build's biggest
    /// cost after the signatures, on all cores.
    func versionFiles(
        _ needed: [String: PromotionTrailer], versions: [String: [PromptVersion]], cache: VersionFileCache
    ) throws
        -> [String: (bytes: Data, sha256: String)]
    {
        var files: [String: (bytes: Data, sha256: String)] = [:]
        var work: [Source] = []
        var partials: [String: [String: String]] = [:]  // partial files by revision
        for (path, trailer) in needed.sorted(by: { $0.key < $1.key }) {
            let firstCommit = versions[trailer.prompt]?.first { $0.number == trailer.version }?.commit
            if let firstCommit, let cached = cache.file(blob: trailer.blob, commit: firstCommit, name: trailer.prompt, version: trailer.version) {
                files[path] = cached
                continue
            }
            let revision = firstCommit?.hex ?? repository.config.mainBranch
            if partials[revision] == nil { partials[revision] = try repository.partialFiles(at: revision) }
            work.append(
                Source(
                    path: path, trailer: trailer, firstCommit: firstCommit,
                    text: try UTF8Text.decodeOrThrow(try repository.git.readBlob(trailer.blob), path: PromptRepository.promptPath(trailer.prompt)),
                    partialFiles: partials[revision]!))
        }
        let sources = work
        let made = concurrentMap(sources.count) { index in Result { try Self.versionFile(sources[index]) } }
        // In path order, so the first error reported does not depend on the threads.
        for (source, result) in zip(sources, made) {
            let file = try result.get()
            files[source.path] = file
            if let firstCommit = source.firstCommit {
                cache.remember(file, blob: source.trailer.blob, commit: firstCommit, name: source.trailer.prompt, version: source.trailer.version)
            }
        }
        return files
    }

    /// What making one version file needs from git.
    struct Source: Sendable {
        let path: String
        let trailer: PromotionTrailer
        let firstCommit: ObjectID?
        let text: String
        /// The partial files of the version's first commit (path → text).
        let partialFiles: [String: String]
    }

    /// The version file's bytes and sha256 (pure: runs on any thread).
    static func versionFile(_ source: Source) throws -> (bytes: Data, sha256: String) {
        let trailer = source.trailer
        // A version that does not lint clean (its partials included) must not publish: a
        // render would fail or, worse, silently drop a partial.
        let problems = PromptRepository.publishProblems(name: trailer.prompt, text: source.text, partialFiles: source.partialFiles)
        let loaded = LoadedPrompt.load(path: PromptRepository.promptPath(trailer.prompt), text: source.text, name: trailer.prompt)
        guard problems.isEmpty, let prompt = loaded.prompt else {
            throw FolioError(
                .invalidContent,
                "the build stops: \(trailer.prompt) v\(trailer.version) does not pass lint:\n"
                    + (problems.isEmpty ? loaded.diagnostics : problems).map(\.description).joined(separator: "\n"),
                hint: "promote a version that passes `folio lint`, then build again")
        }
        var files = Workspace.Files()
        files.partials = source.partialFiles
        let entry = ManifestPrompt(
            name: trailer.prompt, version: trailer.version, blob: trailer.blob.hex, prompt: prompt,
            partials: partialsUsed(by: prompt, from: Workspace(files: files).partialSources))
        let bytes = try JSONEncoder.folio.encode(entry) + Data("\n".utf8)
        return (bytes, ContentHash.sha256Hex(bytes))
    }

    /// The partials a prompt's messages include, directly or through other partials.
    static func partialsUsed(by prompt: Prompt, from available: [String: String]) -> [String: String] {
        var used: [String: String] = [:]
        var pending = prompt.messages.flatMap { (try? Template($0.content))?.partialNames ?? [] }
        while let name = pending.popLast() {
            guard used[name] == nil, let source = available[name] else { continue }
            used[name] = source
            pending += (try? Template(source))?.partialNames ?? []
        }
        return used
    }
}

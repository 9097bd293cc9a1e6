import Foundation
import FolioCore
import FolioGit
import FolioModel
import FolioSigning

extension ManifestBuilder {
    /// One environment's part of a patch: its snapshot, where the new tags leave its log,
    /// and what they promote.
    private struct EnvironmentPatch {
        var environment: String
        var file: CacheFile
        var snapshot: BuildSnapshot
        var checkpoint: LogCheckpoint
        /// The newest promotion since the snapshot (nil: no new tags).
        var latest: Promotion?
        /// Every trailer promoted since, replaced or not: each names a version file.
        var promoted: [PromotionTrailer]
        /// Per prompt, the trailer and promotion that now decide its entry.
        var current: [String: CurrentPromotion]
    }

    private struct CurrentPromotion {
        var trailer: PromotionTrailer
        var promotion: Promotion
    }

    enum Patched {
        case built(BuildOutput)
        /// The build must make everything; the record of what was written, if it started loading.
        case notPatched(Prefetch<WrittenFiles>?)
    }

    /// A rebuild from the last build's snapshots (`BuildSnapshot`), O(new tags) instead of
    /// O(all tags): only the promotion tags added since are read and checked, and each
    /// manifest is the last one with the entries of the prompts they promote made again (the
    /// others' bytes are copied). Not patched, and so made whole, when an environment has no
    /// snapshot, its checkpoint no longer holds, a new tag does not verify (the whole check
    /// then names every bad tag), the manifest in the folder is not the one the snapshot
    /// describes, or a version file it names is not in place as written.
    func patch(_ environments: [String], folder: URL) throws -> Patched {
        guard !environments.isEmpty, Set(environments).count == environments.count else { return .notPatched(nil) }
        let gitDirectory = repository.git.gitDirectory
        var snapshots: [(environment: String, file: CacheFile, snapshot: BuildSnapshot)] = []
        for environment in environments {
            try repository.requireEnvironment(environment)
            let file = BuildSnapshot.file(gitDirectory: gitDirectory, environment: environment, folder: folder)
            guard let snapshot = BuildSnapshot.load(from: file) else { return .notPatched(nil) }
            snapshots.append((environment, file, snapshot))
        }
        // Every file this folder was given is `lstat`ed on the prefetch thread meanwhile.
        let written = Prefetch { WrittenFiles(gitDirectory: gitDirectory, folder: folder) }
        var plans: [EnvironmentPatch] = []
        var needed: [String: PromotionTrailer] = [:]
        var versions: [String: [PromptVersion]] = [:]
        var checkedTags = 0
        for (environment, file, snapshot) in snapshots {
            guard let appended = try PromotionLog.appended(to: snapshot.checkpoint, in: environment, repository: repository),
                appended.promotions.allSatisfy(\.isValid)
            else { return .notPatched(written) }
            checkedTags += appended.promotions.count
            var current: [String: CurrentPromotion] = [:]
            for checked in appended.promotions {
                for trailer in checked.promotion.trailers {
                    current[trailer.prompt] = CurrentPromotion(trailer: trailer, promotion: checked.promotion)
                }
            }
            // Every version promoted since is named in `version_files`, also one replaced since.
            let promoted = appended.promotions.flatMap(\.promotion.trailers)
            for trailer in promoted { needed[ManifestPrompt.path(name: trailer.prompt, version: trailer.version)] = trailer }
            if versions.isEmpty { versions = appended.versions }
            plans.append(
                EnvironmentPatch(
                    environment: environment, file: file, snapshot: snapshot, checkpoint: appended.checkpoint,
                    latest: appended.promotions.last?.promotion, promoted: promoted, current: current))
        }
        // The version files of the prompts whose entries change, made from git (the cache
        // of all version files is not loaded: it is read whole). Only those no snapshot
        // names are added to the cache; the others were when they were first written.
        let cache = VersionFileCache(gitDirectory: gitDirectory, loading: false)
        let new = needed.filter { path, _ in !plans.contains { $0.snapshot.versionFiles[path] != nil } }
        var made = try versionFiles(new, versions: versions, cache: cache)
        made.merge(
            try versionFiles(
                needed.filter { new[$0.key] == nil }, versions: versions,
                cache: VersionFileCache(gitDirectory: gitDirectory, loading: false))
        ) { first, _ in first }
        var staged = StagedFiles()
        var next: [(CacheFile, BuildSnapshot)] = []
        var named = Set<String>()
        for plan in plans {
            let (environment, snapshot, current) = (plan.environment, plan.snapshot, plan.current)
            var versionFiles = snapshot.versionFiles
            for trailer in plan.promoted {
                let path = ManifestPrompt.path(name: trailer.prompt, version: trailer.version)
                guard let made = made[path] else { return .notPatched(written) }
                if let known = versionFiles[path], known != made.sha256 { return .notPatched(written) }
                versionFiles[path] = made.sha256
                if snapshot.versionFiles[path] == nil { staged.add(path, bytes: made.bytes, sha256: made.sha256) }
            }
            // What the snapshot says is in place must still be: untouched since it was
            // written, or (a file changed in the tick its record was saved in) read and
            // found to hold the same bytes, and then recorded again.
            for (path, sha256) in snapshot.versionFiles where staged.files[path] == nil {
                let record = written.value
                if record.unchanged(path, digest: sha256), record.unchanged(path + ".gz", digest: "gzip-" + sha256) { continue }
                guard !record.differs(path, digest: sha256), !record.differs(path + ".gz", digest: "gzip-" + sha256),
                    let bytes = Self.readIfPresent(folder.appendingPathComponent(path).path), ContentHash.sha256Hex(bytes) == sha256,
                    Gzip.holds(Self.readIfPresent(folder.appendingPathComponent(path + ".gz").path), bytes)
                else { return .notPatched(written) }
                record.record(path, digest: sha256)
                record.record(path + ".gz", digest: "gzip-" + sha256)
            }
            let path = "\(environment)/manifest.json"
            // Untouched since it was written (or, if touched, still the same bytes).
            guard let previous = Self.readIfPresent(folder.appendingPathComponent(path).path),
                written.value.unchanged(path, digest: snapshot.manifestDigest) || ContentHash.sha256Hex(previous) == snapshot.manifestDigest
            else { return .notPatched(written) }
            let manifest =
                plan.latest.map { self.manifest(environment, latest: $0, versionFiles: versionFiles) }
                ?? self.manifest(environment, version: snapshot.version, generatedAt: snapshot.generatedAt, source: snapshot.source, versionFiles: versionFiles)
            let ranges = Dictionary(snapshot.entries.map { ($0.name, $0.range) }, uniquingKeysWith: { first, _ in first })
            let names = Set(ranges.keys).union(current.keys).sorted()
            guard
                let encoded = ManifestJSON.encode(
                    manifest, names: names, size: previous.count + 4096 * (current.count + 1), finalNewline: true,
                    value: { name, out in
                        if let now = current[name], let file = made[ManifestPrompt.path(name: name, version: now.trailer.version)] {
                            return ManifestJSON.splice(
                                ManifestJSON.Entry(
                                    versionFile: file.bytes, sha256: file.sha256,
                                    promotion: Self.promotion(now.promotion, replaces: now.trailer.replaces)), indent: 4, &out)
                        }
                        return ranges[name].map { ManifestJSON.copy($0, of: previous, &out) } ?? false
                    })
            else { return .notPatched(written) }
            let sha256 = try staged.addManifest(encoded.bytes, at: path, written: written.value, signer: signer)
            next.append(
                (
                    plan.file,
                    BuildSnapshot(
                        checkpoint: plan.checkpoint, manifestDigest: sha256, manifest: manifest,
                        entries: Array(zip(names, encoded.ranges)))
                ))
            named.formUnion(versionFiles.keys)
        }
        let count = try staged.write(to: folder, written: written.value)
        cache.save()
        for (file, snapshot) in next { snapshot.save(to: file) }
        return .built(
            BuildOutput(
                environments.map { "\($0)/manifest.json" }, versionFiles: named.count,
                checkedTags: checkedTags, patched: true, written: count))
    }
}

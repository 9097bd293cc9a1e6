import FolioCore
import FolioModel
import FolioProviders
import Foundation

/// Builds evaluation sides from prompt versions: picks each side's provider and model
/// (the prompt's own `model:`, unless overridden) and shares one provider instance, and
/// so one concurrency cap, between sides that use the same provider.
/// Used on the command's thread only: it holds the repository (libgit2 objects stay on one
/// thread), so it is not Sendable.
package final class EvalSetup {
    package let repository: PromptRepository
    package let factory: ProviderFactory
    package var providerOverride: String?
    private var made: [String: ResilientProvider] = [:]

    package init(repository: PromptRepository, factory: ProviderFactory, providerOverride: String? = nil) {
        self.repository = repository
        self.factory = factory
        self.providerOverride = providerOverride
    }

    /// The provider named `name`, made once.
    package func provider(_ name: String) throws -> ResilientProvider {
        if let existing = made[name] { return existing }
        do {
            let provider = try factory.make(name)
            made[name] = provider
            return provider
        } catch let error as ProviderError {
            throw FolioError(.configuration, error.message, hint: error.hint)
        }
    }

    /// A side for a prompt version. `model` overrides the prompt's model name.
    package func side(label: String, _ resolved: ResolvedPrompt, model: String? = nil) throws -> EvalSide {
        let compiled = try resolved.compiled()
        let settings = compiled.prompt.model
        guard let providerName = providerOverride ?? settings?.provider ?? (repository.config.providers.count == 1 ? repository.config.providers.keys.first : nil) else {
            throw FolioError(
                .configuration, "prompt '\(resolved.name)' \(resolved.label) names no model.provider, and folio.yaml has \(repository.config.providers.count) providers",
                hint: "add `model: {provider: …}` to the prompt or pass --provider")
        }
        let provider = try self.provider(providerName)
        guard let modelName = model ?? settings?.name ?? repository.config.providers[providerName]?.model else {
            throw FolioError(
                .configuration, "prompt '\(resolved.name)' \(resolved.label) names no model, and provider '\(providerName)' has no default `model:`",
                hint: "add `model: {name: …}` to the prompt or pass --model")
        }
        return EvalSide(info: EvalSideInfo(label: label, version: resolved.label, provider: providerName, model: modelName), prompt: compiled, provider: provider)
    }

    /// Run options from folio.yaml: prices, budget, judge and embeddings.
    package func options(cache: Bool, record: Bool, repeatCount: Int?, budgetUSD: Double?) throws -> EvalOptions {
        let config = repository.config
        var options = EvalOptions(repeatCount: repeatCount, budgetUSD: budgetUSD ?? config.budgetUSD, prices: config.prices)
        let folio = repository.root.appendingPathComponent(".folio")
        if cache { options.cache = ResponseStore(folder: folio.appendingPathComponent("cache")) }
        if record { options.recorder = ResponseStore(folder: folio.appendingPathComponent("recordings")) }
        if let judge = config.judge {
            do {
                options.judge = (try self.provider(judge.provider), judge.model ?? config.providers[judge.provider]?.model ?? "gpt-4o-mini")
            } catch {
                options.judgeProblem = "\(error)"
            }
        }
        // `similar` needs an embeddings endpoint: the judge's provider if it is OpenAI-compatible,
        // else the first OpenAI-compatible provider that can be made (its key is set).
        let candidates = (config.judge.map { [$0.provider] } ?? []) + config.providers.keys.sorted()
        if let embedder = candidates.lazy.filter({ config.providers[$0]?.kind == .openai }).compactMap({ try? self.provider($0) }).first {
            options.embedder = (embedder, "text-embedding-3-small")
        }
        return options
    }

    /// The golden sets of a prompt in a workspace; one with errors stops the run, naming it.
    package static func goldenSets(of prompt: String, in workspace: Workspace, named name: String? = nil) throws -> [(path: String, set: GoldenSet)] {
        let matching = workspace.goldenSets.filter { loaded in
            (loaded.goldenSet?.prompt ?? "") == prompt || loaded.path.hasPrefix("goldensets/\(prompt)/")
        }.filter { name == nil || ($0.path as NSString).lastPathComponent == "\(name!).yaml" }
        return try matching.map { loaded in
            guard let set = loaded.goldenSet else {
                let errors = loaded.diagnostics.filter { $0.severity == .error }.map(\.description)
                throw FolioError(.configuration, "\(loaded.path) has errors, so it cannot be evaluated:\n" + errors.joined(separator: "\n"), hint: "run `folio lint` and fix them")
            }
            return (loaded.path, set)
        }
    }
}

import FolioModel
import FolioProviders
import FolioTemplate
import Foundation

/// One side of a run: a prompt version on a provider and model.
package struct EvalSide: Sendable {
    package var info: EvalSideInfo
    package var prompt: CompiledPrompt
    package var provider: ResilientProvider
    package var temperature: Double?
    package var maxTokens: Int?

    package init(info: EvalSideInfo, prompt: CompiledPrompt, provider: ResilientProvider) {
        self.info = info
        self.prompt = prompt
        self.provider = provider
        temperature = prompt.prompt.model?.temperature
        maxTokens = prompt.prompt.model?.maxTokens
    }
}

/// One golden set against its sides.
package struct EvalJob: Sendable {
    package var goldenSetPath: String
    package var goldenSet: GoldenSet
    package var sides: [EvalSide]

    package init(goldenSetPath: String, goldenSet: GoldenSet, sides: [EvalSide]) {
        self.goldenSetPath = goldenSetPath
        self.goldenSet = goldenSet
        self.sides = sides
    }
}

package struct EvalOptions: Sendable {
    /// `--repeat`: overrides every case's `repeat`.
    package var repeatCount: Int?
    /// The response cache; nil with `--no-cache`.
    package var cache: ResponseStore?
    /// Where `--record` writes answers for the replay provider.
    package var recorder: ResponseStore?
    package var budgetUSD: Double?
    package var prices: [String: ModelPrice]
    package var judge: (provider: ResilientProvider, model: String)?
    /// Why the configured judge could not be used (its key is not set, say), for llm-rubric's reason.
    package var judgeProblem: String?
    package var embedder: (provider: ResilientProvider, model: String)?

    package init(
        repeatCount: Int? = nil, cache: ResponseStore? = nil, recorder: ResponseStore? = nil, budgetUSD: Double? = nil, prices: [String: ModelPrice] = [:],
        judge: (provider: ResilientProvider, model: String)? = nil, embedder: (provider: ResilientProvider, model: String)? = nil
    ) {
        self.repeatCount = repeatCount
        self.cache = cache
        self.recorder = recorder
        self.budgetUSD = budgetUSD
        self.prices = prices
        self.judge = judge
        self.embedder = embedder
    }
}

package struct EvalProgress: Sendable {
    package var done: Int
    package var total: Int
    package var cacheHits: Int
    package var spentUSD: Double
}

/// Runs golden sets: renders each case on each side, calls the provider (through the
/// cache, the budget and the provider's concurrency cap), scores the answer.
package struct EvalRunner: Sendable {
    package let options: EvalOptions
    let state: RunState

    package init(options: EvalOptions) {
        self.options = options
        state = RunState(budget: options.budgetUSD)
    }

    struct WorkItem: Sendable, Hashable {
        let job: Int, testCase: Int, side: Int, sample: Int
    }

    /// Runs every job. Cancelling the calling task (Ctrl-C) ends the run as inconclusive;
    /// every finished sample is kept.
    package func run(_ jobs: [EvalJob], progress: @escaping @Sendable (EvalProgress) -> Void = { _ in }) async -> EvalReport {
        let clock = ContinuousClock()
        let start = clock.now
        var tasks: [WorkItem] = []
        for (jobIndex, job) in jobs.enumerated() {
            for (caseIndex, goldenCase) in job.goldenSet.cases.enumerated() {
                for sideIndex in job.sides.indices {
                    for sample in 0..<repeats(goldenCase, job.goldenSet) {
                        tasks.append(WorkItem(job: jobIndex, testCase: caseIndex, side: sideIndex, sample: sample))
                    }
                }
            }
        }
        await state.setTotal(tasks.count)
        var samples: [WorkItem: (Sample, String)] = [:]
        await withTaskGroup(of: (WorkItem, Sample, String).self) { group in
            for task in tasks {
                group.addTask {
                    let (sample, input) = await runSample(task, jobs)
                    progress(await state.finished(sample))
                    return (task, sample, input)
                }
            }
            for await (task, sample, input) in group { samples[task] = (sample, input) }
        }
        let runs = jobs.enumerated().map { jobIndex, job in
            Scoring.run(
                job,
                cases: job.goldenSet.cases.enumerated().map { caseIndex, goldenCase in
                    let perSide = job.sides.indices.map { sideIndex in
                        (0..<repeats(goldenCase, job.goldenSet)).compactMap { samples[WorkItem(job: jobIndex, testCase: caseIndex, side: sideIndex, sample: $0)] }
                    }
                    return (goldenCase, perSide)
                })
        }
        return Scoring.report(runs, budgetReached: await state.budgetReached, interrupted: Task.isCancelled, seconds: (clock.now - start).inSeconds)
    }

    func repeats(_ goldenCase: GoldenCase, _ set: GoldenSet) -> Int {
        options.repeatCount ?? goldenCase.repeatCount ?? set.defaults?.repeatCount ?? 1
    }

    /// One sample: render, call (cache, budget), score. Returns the sample and the rendered user input.
    func runSample(_ task: WorkItem, _ jobs: [EvalJob]) async -> (Sample, String) {
        let job = jobs[task.job]
        let side = job.sides[task.side]
        let goldenCase = job.goldenSet.cases[task.testCase]
        let messages: [RenderedMessage]
        do {
            messages = try side.prompt.render(goldenCase.vars)
        } catch {
            return (Sample.failed(.fail, "\(error)"), "")
        }
        let input = messages.last { $0.role == "user" }?.content ?? messages.last?.content ?? ""
        let request = ChatRequest(model: side.info.model, messages: messages.map { LLMMessage(role: $0.role, content: $0.content) }, temperature: side.temperature, maxTokens: side.maxTokens)
        let call: Call
        do {
            call = try await send(request, sample: task.sample, via: side.provider)
        } catch let stop as Stop {
            return (Sample.failed(.skipped, stop.reason), input)
        } catch  where Task.isCancelled {
            return (Sample.failed(.skipped, "interrupted while waiting for the answer"), input)
        } catch {
            return (Sample.failed(.error, "\(error)"), input)
        }
        let response = call.response
        let cost = price(response, requested: side.info.model)
        let assertionInput = AssertionInput(
            output: response.text, expected: goldenCase.expected, latencyMs: response.latency * 1000, costUSD: cost,
            totalTokens: response.inputTokens.flatMap { input in response.outputTokens.map { input + $0 } },
            similarity: similarity(), judge: judge(), judgeProblem: options.judgeProblem
        )
        let assertions = goldenCase.assertions ?? job.goldenSet.defaults?.assertions ?? [AssertionChecker.fallback]
        var outcomes: [AssertionOutcome] = []
        for assertion in assertions { outcomes.append(await AssertionChecker.check(assertion, assertionInput)) }
        let score = Scoring.weightedScore(outcomes, assertions)
        let threshold = goldenCase.threshold ?? job.goldenSet.defaults?.threshold ?? 1
        return (
            Sample(
                status: score + 1e-9 >= threshold ? .pass : .fail, output: response.text, score: score, assertions: outcomes,
                latencyMs: response.latency * 1000, inputTokens: response.inputTokens, outputTokens: response.outputTokens,
                costUSD: cost, cached: call.cached, attempts: call.attempts, model: response.model, error: nil
            ), input
        )
    }

    struct Call {
        let response: ChatResponse
        let cached: Bool
        let attempts: Int
    }

    /// Why a request was not sent.
    struct Stop: Error { let reason: String }

    /// Sends through the cache and the budget; records the answer when asked. Errors are never cached.
    func send(_ request: ChatRequest, sample: Int, via provider: ResilientProvider) async throws -> Call {
        let key = RequestKey.cache(request, sample: sample, provider: provider.base)
        if let cached = options.cache?.load(key) {
            try record(request, sample: sample, cached)
            return Call(response: cached, cached: true, attempts: 0)
        }
        let (response, attempts) = try await provider.complete(request, sample: sample) {
            if Task.isCancelled { throw Stop(reason: "interrupted before this request was sent") }
            if let reason = await state.refusal() { throw Stop(reason: reason) }
        }
        await state.spend(price(response, requested: request.model))
        try options.cache?.save(key, request: request, sample: sample, response: response)
        try record(request, sample: sample, response)
        return Call(response: response, cached: false, attempts: attempts)
    }

    /// What an answer cost, priced by the model that answered (a local server ignores the
    /// requested name); nil when unknown.
    func price(_ response: ChatResponse, requested: String) -> Double? {
        PriceTable.cost(model: response.model ?? requested, inputTokens: response.inputTokens, outputTokens: response.outputTokens, overrides: options.prices)
    }

    private func record(_ request: ChatRequest, sample: Int, _ response: ChatResponse) throws {
        try options.recorder?.save(RequestKey.recording(request, sample: sample), request: request, sample: sample, response: response)
    }

    private func similarity() -> (@Sendable (String, String) async throws -> Double)? {
        guard let embedder = options.embedder else { return nil }
        return { output, reference in
            let vectors = try await embedder.provider.embed([output, reference], model: embedder.model)
            return Scoring.cosine(vectors[0], vectors[1])
        }
    }

    private func judge() -> (@Sendable (String, String) async throws -> (pass: Bool, reason: String))? {
        guard let judge = options.judge else { return nil }
        let runner = self
        return { rubric, output in
            let request = ChatRequest(
                model: judge.model,
                messages: [
                    LLMMessage(
                        role: "system",
                        content: """
                            You grade an AI assistant's answer against a rubric. Reply with JSON only: \
                            {"pass": true or false, "reason": "one sentence"}.
                            """),
                    LLMMessage(role: "user", content: "Rubric:\n\(rubric)\n\nAnswer:\n\(output)"),
                ], temperature: 0)
            let call = try await runner.send(request, sample: 0, via: judge.provider)
            guard case .object(let verdict)? = JSONChecks.parse(call.response.text) ?? JSONChecks.parse(Scoring.firstJSONObject(call.response.text)),
                case .bool(let pass)? = verdict["pass"]
            else {
                return (false, "the judge's answer is not {\"pass\": …}: \(AssertionChecker.quote(call.response.text))")
            }
            return (pass, verdict["reason"]?.scalarText ?? "")
        }
    }
}

extension Sample {
    static func failed(_ status: Status, _ error: String) -> Sample {
        Sample(status: status, output: nil, score: nil, assertions: [], latencyMs: nil, inputTokens: nil, outputTokens: nil, costUSD: nil, cached: false, attempts: 0, model: nil, error: error)
    }
}

/// The run's shared counters: money spent against the budget, progress.
actor RunState {
    let budget: Double?
    private(set) var spent = 0.0
    private(set) var budgetReached = false
    private var done = 0
    private var total = 0
    private var cacheHits = 0

    init(budget: Double?) {
        self.budget = budget
    }

    func setTotal(_ count: Int) { total = count }

    /// Why no more requests may be sent, or nil.
    func refusal() -> String? {
        guard let budget, spent >= budget else { return nil }
        budgetReached = true
        return "not sent: the budget of \(Money.text(budget)) was reached (\(Money.text(spent)) spent)"
    }

    func spend(_ cost: Double?) { spent += cost ?? 0 }

    func finished(_ sample: Sample) -> EvalProgress {
        done += 1
        if sample.cached { cacheHits += 1 }
        return EvalProgress(done: done, total: total, cacheHits: cacheHits, spentUSD: spent)
    }
}

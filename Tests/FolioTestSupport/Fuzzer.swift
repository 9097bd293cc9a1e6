import Foundation

extension SplitMix: RandomNumberGenerator {}

/// Feeds a parser random and mutated inputs, from a fixed seed so a failure repeats. The
/// number of inputs scales with `FOLIO_FUZZ_SCALE` (1 in `make test`, 10 in
/// `Benchmarks/fuzz.sh`). Each input's time is measured: a parser that hangs or goes
/// quadratic shows up as a slow input, not a stuck run.
public struct Fuzzer {
    public var random: SplitMix
    /// Fragments that matter to the parsers under test, spliced into inputs.
    public let tokens: [[UInt8]]

    public init(seed: UInt64, tokens: [String]) {
        random = SplitMix(seed: seed)
        self.tokens = tokens.map { Array($0.utf8) }
    }

    public static var scale: Int {
        Int(ProcessInfo.processInfo.environment["FOLIO_FUZZ_SCALE"] ?? "") ?? 1
    }

    /// The slowest input of a run, and how long it took.
    public struct Outcome {
        public var iterations = 0
        public var slowest: Duration = .zero
        public var slowestInput: [UInt8] = []
    }

    /// Runs `body` on `iterations` × `scale` inputs: mostly mutations of the seeds, some
    /// random bytes and random token soups.
    public mutating func run(_ iterations: Int, seeds: [[UInt8]], _ body: ([UInt8]) -> Void) -> Outcome {
        var outcome = Outcome()
        let clock = ContinuousClock()
        for _ in 0..<(iterations * Self.scale) {
            let input: [UInt8]
            switch random.next() % 10 {
            case 0: input = randomBytes(upTo: 256)
            case 1: input = tokenSoup(upTo: 64)
            default: input = mutate(seeds[Int(random.next() % UInt64(seeds.count))])
            }
            let start = clock.now
            body(input)
            let elapsed = clock.now - start
            outcome.iterations += 1
            if elapsed > outcome.slowest {
                outcome.slowest = elapsed
                outcome.slowestInput = input
            }
        }
        return outcome
    }

    public mutating func randomBytes(upTo count: Int) -> [UInt8] {
        (0..<Int(random.next() % UInt64(count + 1))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    public mutating func tokenSoup(upTo count: Int) -> [UInt8] {
        var result: [UInt8] = []
        for _ in 0..<Int(random.next() % UInt64(count + 1)) {
            result += random.next() % 4 == 0 ? [UInt8(truncatingIfNeeded: random.next())] : tokens[Int(random.next() % UInt64(tokens.count))]
        }
        return result
    }

    /// One to four edits: flip, insert, delete, duplicate or cut.
    public mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
        var bytes = seed
        for _ in 0..<(1 + Int(random.next() % 4)) {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count + 1))
            switch random.next() % 6 {
            case 0 where !bytes.isEmpty:
                bytes[min(position, bytes.count - 1)] ^= UInt8(1 << (random.next() % 8))
            case 1:
                bytes.insert(contentsOf: tokens[Int(random.next() % UInt64(tokens.count))], at: position)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, position + 1 + Int(random.next() % 16))
                bytes.removeSubrange(min(position, end)..<end)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + 1 + Int(random.next() % 64))
                let slice = Array(bytes[min(position, end)..<end])
                bytes.insert(contentsOf: slice, at: min(position, bytes.count))
            case 4:
                bytes = Array(bytes.prefix(position))
            default:
                bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            }
        }
        return bytes
    }
}

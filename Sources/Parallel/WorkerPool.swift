import CSystem
import Dispatch
import Foundation
import Synchronization

/// A fixed set of worker threads that run one job split into chunks, with low hand-off latency.
/// Used by the vector env (one chunk of envs per thread) and by the tensor library (blocks of a GEMM).
///
/// Waking a sleeping thread costs tens of microseconds on a VM, which is as long as stepping a few PushT
/// envs; `DispatchQueue.concurrentPerform` pays it on every vector step. Here each worker spins briefly
/// on a generation counter before it sleeps on a semaphore, so back-to-back steps hand off in well under
/// a microsecond while an idle pool still sleeps. The calling thread runs chunk 0 itself.
public final class WorkerPool: Sendable {
    public let threads: Int
    /// Serialises callers: `run` is for one caller at a time; a second concurrent caller runs inline.
    private let entry = NSLock()
    private let state: State

    public init(threads: Int) {
        self.threads = max(1, min(threads, 65))
        state = State(workers: self.threads - 1)
        for w in 0..<(self.threads - 1) {
            let thread = Thread { [state] in state.workerLoop(w) }
            thread.name = "ewm-sim.vector.\(w + 1)"
            thread.start()
        }
    }

    deinit { state.stop() }

    /// Runs `chunk(c)` for c in 0..<threads, c = 0 on the calling thread; returns when all are done.
    public func run(_ chunk: @escaping (Int) -> Void) {
        guard threads > 1, entry.try() else {
            for c in 0..<threads { chunk(c) }
            return
        }
        defer { entry.unlock() }
        state.post(chunk)
        chunk(0)
        state.waitForWorkers()
    }

    /// Runs `body(i)` for i in 0..<count on the pool's threads, each index once; returns when all are done.
    ///
    /// The indices are claimed one at a time by whichever thread is free, the caller included, and the caller waits
    /// only for indices a worker has claimed: a worker that the scheduler has not run yet (a busy machine) costs
    /// nothing, since the caller then runs its share too. Which thread runs an index never changes what it computes.
    public func forEach(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1, threads > 1, count < State.maxCount, entry.try() else {
            for i in 0..<count { body(i) }
            return
        }
        defer { entry.unlock() }
        withoutActuallyEscaping(body) { b in
            state.postClaims(b, count: count)
            state.runClaims(count: count)
        }
    }

    /// What the workers share; they hold it strongly, so it outlives the pool until they have stopped.
    ///
    /// One atomic word, `ticket`, announces every job: [generation: 23 bits][claimed mode: 1][count: 20][next: 20].
    /// A `run` job (claimed mode off) is for every worker, once each, and the caller waits for all of them through
    /// `pending`. A `forEach` job hands out indices: a thread claims `next` by compare-and-swap on the word, which also
    /// checks that the job is still the current one, so a worker that wakes late claims nothing of a finished job and
    /// reads `job` only while the caller is waiting for its claimed index (`done`).
    fileprivate final class State: @unchecked Sendable {
        static let maxCount = 1 << 20
        private static let countShift: UInt64 = 20, modeBit: UInt64 = 1 << 40, generationShift: UInt64 = 41
        private static let fieldMask: UInt64 = (1 << 20) - 1
        private let ticket = Atomic<UInt64>(0)
        private let pending = Atomic<Int>(0)
        private let done = Atomic<Int>(0)
        private let stopping = Atomic<Bool>(false)
        /// Bit w set while worker w sleeps on its semaphore (or is about to).
        private let sleeping = Atomic<UInt64>(0)
        private let wakeups: [DispatchSemaphore]
        /// Written by the caller before the ticket is published, read by workers after they see it (see above).
        private var job: ((Int) -> Void)?
        private static let spinIterations = 20_000

        init(workers: Int) { wakeups = (0..<workers).map { _ in DispatchSemaphore(value: 0) } }

        private static func generation(_ t: UInt64) -> UInt64 { t >> generationShift }

        /// The next generation's ticket (wrapping within its 23 bits).
        private func nextTicket(claimed: Bool, count: Int) -> UInt64 {
            let g = (Self.generation(ticket.load(ordering: .sequentiallyConsistent)) &+ 1) & ((1 << 23) - 1)
            return g << Self.generationShift | (claimed ? Self.modeBit | UInt64(count) << Self.countShift : 0)
        }

        func post(_ chunk: @escaping (Int) -> Void) {
            job = chunk
            pending.store(wakeups.count, ordering: .sequentiallyConsistent)
            ticket.store(nextTicket(claimed: false, count: 0), ordering: .sequentiallyConsistent)
            wakeSleepers()
        }

        func postClaims(_ body: @escaping (Int) -> Void, count: Int) {
            job = body
            done.store(0, ordering: .sequentiallyConsistent)
            ticket.store(nextTicket(claimed: true, count: count), ordering: .sequentiallyConsistent)
            wakeSleepers()
        }

        /// The caller's part of a `forEach` job: claims indices until none is left, then waits for those that workers
        /// claimed.
        func runClaims(count: Int) {
            let g = Self.generation(ticket.load(ordering: .sequentiallyConsistent))
            claimAndRun(generation: g)
            var spins = 0
            while done.load(ordering: .sequentiallyConsistent) < count {
                spins += 1
                if spins & 4095 == 0 { sched_yield() }  // let a worker that shares this core run
            }
            job = nil
        }

        /// Claims and runs indices of generation `g` while there are any.
        private func claimAndRun(generation g: UInt64) {
            var t = ticket.load(ordering: .sequentiallyConsistent)
            while Self.generation(t) == g, t & Self.modeBit != 0, t & Self.fieldMask < (t >> Self.countShift) & Self.fieldMask {
                let (exchanged, original) = ticket.compareExchange(
                    expected: t, desired: t + 1, ordering: .sequentiallyConsistent)
                if exchanged {
                    runClaimed(Int(t & Self.fieldMask))
                    done.add(1, ordering: .sequentiallyConsistent)
                    t = t + 1
                } else {
                    t = original
                }
            }
        }

        /// Runs one claimed index; the job's closure is retained and released within this call, before `done` counts it.
        @inline(never) private func runClaimed(_ i: Int) { job?(i) }

        func waitForWorkers() {
            var spins = 0
            while pending.load(ordering: .sequentiallyConsistent) > 0 {
                spins += 1
                if spins & 4095 == 0 { sched_yield() }  // let a worker that shares this core run
            }
            job = nil
        }

        func stop() {
            stopping.store(true, ordering: .sequentiallyConsistent)
            ticket.store(nextTicket(claimed: false, count: 0), ordering: .sequentiallyConsistent)
            wakeSleepers()
        }

        private func wakeSleepers() {
            let asleep = sleeping.exchange(0, ordering: .sequentiallyConsistent)
            for w in wakeups.indices where asleep & (1 << UInt64(w)) != 0 { wakeups[w].signal() }
        }

        func workerLoop(_ w: Int) {
            pinToProcessor(w + 1)
            let bit: UInt64 = 1 << UInt64(w)
            // The generation at creation: a job posted before this thread starts is still seen.
            var seen: UInt64 = 0
            while true {
                var spins = 0
                while Self.generation(ticket.load(ordering: .sequentiallyConsistent)) == seen {
                    spins += 1
                    if spins < Self.spinIterations {
                        if spins & 4095 == 0 { sched_yield() }
                        continue
                    }
                    sleeping.bitwiseOr(bit, ordering: .sequentiallyConsistent)
                    if Self.generation(ticket.load(ordering: .sequentiallyConsistent)) != seen {
                        // Work arrived between the spin and the flag: take the flag back, unless the caller
                        // already cleared it, in which case its signal is on the way.
                        let before = sleeping.bitwiseAnd(~bit, ordering: .sequentiallyConsistent).oldValue
                        if before & bit == 0 { wakeups[w].wait() }
                        break
                    }
                    wakeups[w].wait()
                    spins = 0
                }
                if stopping.load(ordering: .sequentiallyConsistent) { return }
                let t = ticket.load(ordering: .sequentiallyConsistent)
                seen = Self.generation(t)
                if t & Self.modeBit != 0 {
                    claimAndRun(generation: seen)
                } else {
                    // A `run` job: the caller waits for every worker, so this one is still current.
                    job?(w + 1)
                    pending.subtract(1, ordering: .sequentiallyConsistent)
                }
            }
        }
    }
}

/// Keeps worker w on processor w (mod the count), so the scheduler never stacks a worker on the core of
/// the thread that waits for it. Best effort: ignored where affinity is not supported.
private func pinToProcessor(_ index: Int) {
    let count = ProcessInfo.processInfo.activeProcessorCount
    guard count > 1 else { return }
    _ = ewm_pin_current_thread(Int32(index % count))
}

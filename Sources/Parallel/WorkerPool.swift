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

    /// Runs `body(i)` for i in 0..<count, spread over the pool's threads (thread t takes t, t + threads, ...).
    public func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || threads == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let n = threads
        withoutActuallyEscaping(body) { b in
            run { t in
                var i = t
                while i < count { b(i); i += n }
            }
        }
    }

    /// What the workers share; they hold it strongly, so it outlives the pool until they have stopped.
    private final class State: @unchecked Sendable {
        private let generation = Atomic<Int>(0)
        private let pending = Atomic<Int>(0)
        private let stopping = Atomic<Bool>(false)
        /// Bit w set while worker w sleeps on its semaphore (or is about to).
        private let sleeping = Atomic<UInt64>(0)
        private let wakeups: [DispatchSemaphore]
        /// Written by the caller before the generation is bumped, read by workers after they see it.
        private var job: ((Int) -> Void)?
        private static let spinIterations = 20_000

        init(workers: Int) { wakeups = (0..<workers).map { _ in DispatchSemaphore(value: 0) } }

        func post(_ chunk: @escaping (Int) -> Void) {
            job = chunk
            pending.store(wakeups.count, ordering: .sequentiallyConsistent)
            generation.add(1, ordering: .sequentiallyConsistent)
            wakeSleepers()
        }

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
            generation.add(1, ordering: .sequentiallyConsistent)
            wakeSleepers()
        }

        private func wakeSleepers() {
            let asleep = sleeping.exchange(0, ordering: .sequentiallyConsistent)
            for w in wakeups.indices where asleep & (1 << UInt64(w)) != 0 { wakeups[w].signal() }
        }

        func workerLoop(_ w: Int) {
            pinToProcessor(w + 1)
            let bit: UInt64 = 1 << UInt64(w)
            var seen = 0  // the generation at creation: a job posted before this thread starts is still seen
            while true {
                var spins = 0
                while generation.load(ordering: .sequentiallyConsistent) == seen {
                    spins += 1
                    if spins < Self.spinIterations {
                        if spins & 4095 == 0 { sched_yield() }
                        continue
                    }
                    sleeping.bitwiseOr(bit, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) != seen {
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
                seen = generation.load(ordering: .sequentiallyConsistent)
                job?(w + 1)
                pending.subtract(1, ordering: .sequentiallyConsistent)
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

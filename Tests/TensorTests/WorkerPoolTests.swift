import Parallel
import Synchronization
import Testing

/// The worker pool runs every index of a job exactly once, whoever claims it, job after job.
struct WorkerPoolTests {
    final class Counter: Sendable { let value = Atomic<Int>(0) }

    @Test func forEachRunsEachIndexOnce() {
        let pool = WorkerPool(threads: 2)
        for count in [0, 1, 2, 3, 8, 100] {
            for _ in 0..<200 {
                let hits = (0..<count).map { _ in Counter() }
                pool.forEach(count) { i in hits[i].value.add(1, ordering: .relaxed) }
                #expect(hits.allSatisfy { $0.value.load(ordering: .relaxed) == 1 }, "count \(count)")
            }
        }
    }

    /// `run` (one chunk per thread) and `forEach` (claimed indices) alternate on one pool without losing a chunk.
    @Test func runAndForEachAlternate() {
        let pool = WorkerPool(threads: 3)
        let total = Counter()
        for round in 0..<300 {
            if round % 2 == 0 {
                pool.run { _ in total.value.add(1, ordering: .relaxed) }
            } else {
                pool.forEach(5) { _ in total.value.add(10, ordering: .relaxed) }
            }
        }
        #expect(total.value.load(ordering: .relaxed) == 150 * 3 + 150 * 50)
    }
}

import Foundation

/// The cores that other processes leave idle right now, from the kernel's CPU accounting (Linux `/proc`).
public enum IdleCores {
    /// Over `interval`, the idle CPU time plus this process's own (from /proc/stat and /proc/self/stat; OpenBLAS's
    /// threads spin for a while after start-up) as a share of all CPU time, times the core count, rounded, at least
    /// 1; all cores where /proc is unreadable. Fork-join parallel work is only as fast as its slowest thread, so a
    /// thread on a core that another process holds slows every parallel call down.
    public static func count(sampling interval: TimeInterval = 0.2) -> Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard let a = sample() else { return cores }
        Thread.sleep(forTimeInterval: interval)
        guard let b = sample() else { return cores }
        return count(from: a, to: b, cores: cores)
    }

    /// CPU time that was free to this process (idle + iowait + its own user and system time) and all CPU time, in
    /// clock ticks since boot; nil where /proc is unreadable.
    public static func sample() -> (free: Double, total: Double)? {
        guard let all = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let own = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        else { return nil }
        return times(procStat: all, selfStat: own)
    }

    /// Parses the aggregate `cpu` line of /proc/stat and this process's /proc/self/stat.
    public static func times(procStat all: String, selfStat own: String) -> (free: Double, total: Double)? {
        guard let line = all.split(separator: "\n").first, line.hasPrefix("cpu "),
            let close = own.lastIndex(of: ")")
        else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        // After the command name: state is field 3, utime and stime are fields 14 and 15.
        let mine = own[own.index(after: close)...].split(separator: " ")
        guard fields.count >= 5, mine.count >= 13, let user = Double(mine[11]), let system = Double(mine[12]) else { return nil }
        return (fields[3] + fields[4] + user + system, fields.reduce(0, +))  // idle + iowait + own, all
    }

    /// The idle cores between two samples: the free share of the elapsed CPU time times `cores`, rounded, in
    /// 1...cores; all cores when no time elapsed.
    public static func count(from a: (free: Double, total: Double), to b: (free: Double, total: Double), cores: Int) -> Int {
        guard b.total > a.total else { return cores }
        let freeShare = min(1, (b.free - a.free) / (b.total - a.total))
        return max(1, min(cores, Int((freeShare * Double(cores)).rounded())))
    }
}

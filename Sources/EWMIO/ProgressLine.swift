import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// True when standard error is a terminal (so `\r` redraws and ANSI clears make sense).
public var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

/// A one-line progress indicator on stderr, redrawn with \r; silent when stderr is not a terminal or when disabled (e.g. --json).
///
/// Looks like `collect [#######.............] 350/1000  35%  120.4/s  ETA 0:05  ep 12`.
/// Redraws are throttled to 10 per second (the final state always shows); the line is cut to
/// the terminal width. Safe to call from several threads.
public final class ProgressLine: @unchecked Sendable {
    public let label: String
    /// Expected number of steps; `<= 0` shows a count without bar, percentage or ETA.
    public let total: Int
    /// False when disabled or stderr is not a terminal: then nothing is ever written.
    public let isActive: Bool

    private let lock = NSLock()
    private let start = Date()
    private var lastDraw = -Double.infinity
    private var finished = false
    private let sink: (String) -> Void
    private let columns: Int

    /// - Parameters:
    ///   - label: short name shown first.
    ///   - total: expected step count (`<= 0` for unknown).
    ///   - enabled: pass false to silence it (e.g. when printing JSON); default true.
    public convenience init(label: String, total: Int, enabled: Bool = true) {
        self.init(label: label, total: total, active: enabled && stderrIsTerminal, columns: terminalColumns()) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Testing hook: explicit activity, width and output.
    init(label: String, total: Int, active: Bool, columns: Int, sink: @escaping (String) -> Void) {
        self.label = label
        self.total = total
        self.isActive = active
        self.columns = max(20, columns)
        self.sink = sink
    }

    /// Reports `done` steps (clamped to `0...total` when `total > 0`) and optional detail text.
    public func update(_ done: Int, detail: String = "") {
        guard isActive else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        let elapsed = Date().timeIntervalSince(start)
        let complete = total > 0 && done >= total
        guard complete || elapsed - lastDraw >= 0.1 else { return }
        lastDraw = elapsed
        sink("\r\u{1B}[2K" + render(done: done, detail: detail, elapsed: elapsed))
    }

    /// Draws the final state and ends the line; later calls do nothing.
    public func finish(detail: String = "") {
        guard isActive else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        let elapsed = Date().timeIntervalSince(start)
        sink("\r\u{1B}[2K" + render(done: total, detail: detail, elapsed: elapsed, final: true) + "\n")
    }

    /// The line text (without control characters) for a given state.
    func render(done: Int, detail: String, elapsed: Double, final: Bool = false) -> String {
        var parts = [label]
        let rate = elapsed > 0 ? Double(max(0, done)) / elapsed : 0
        if total > 0 {
            let clamped = min(max(done, 0), total)
            let fraction = Double(clamped) / Double(total)
            let barWidth = 20
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]")
            parts.append("\(clamped)/\(total)")
            parts.append(String(format: "%3d%%", Int((fraction * 100).rounded(.down))))
            if rate > 0 { parts.append(String(format: "%.1f/s", rate)) }
            if final {
                parts.append("in " + ProgressLine.clock(elapsed))
            } else if rate > 0 && clamped < total {
                parts.append("ETA " + ProgressLine.clock(Double(total - clamped) / rate))
            }
        } else {
            parts.append("\(max(0, done))")
            if rate > 0 { parts.append(String(format: "%.1f/s", rate)) }
            if final { parts.append("in " + ProgressLine.clock(elapsed)) }
        }
        if !detail.isEmpty { parts.append(detail) }
        let line = parts.joined(separator: "  ")
        return line.count > columns - 1 ? String(line.prefix(columns - 1)) : line
    }

    /// `m:ss` or `h:mm:ss`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.isFinite ? max(0, seconds.rounded()) : 0)
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Terminal width from `TIOCGWINSZ` on stderr, else `$COLUMNS`, else 100.
private func terminalColumns() -> Int {
    var size = winsize()
    if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 { return n }
    return 100
}

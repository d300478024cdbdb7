/// Frames of several runs composed side by side, for animations that compare runs step by step.
public enum FrameComposite {
    /// Frame t of the result holds frame t of every run, left to right, `gap` pixels apart on `background`; as many
    /// frames as the shortest run has. Runs of one frame size (the first frame's) are expected.
    public static func sideBySide(_ runs: [[RGBImage]], gap: Int = 8, background: RGB = RGB(255, 255, 255)) -> [RGBImage] {
        guard let first = runs.first?.first else { return [] }
        let width = first.width, height = first.height
        let n = runs.map(\.count).min() ?? 0
        return (0..<n).map { t in
            var joined = RGBImage(width: runs.count * width + (runs.count - 1) * gap, height: height, fill: background)
            for (k, run) in runs.enumerated() {
                let frame = run[t]
                for y in 0..<min(height, frame.height) {
                    for x in 0..<min(width, frame.width) { joined[x + k * (width + gap), y] = frame[x, y] }
                }
            }
            return joined
        }
    }
}

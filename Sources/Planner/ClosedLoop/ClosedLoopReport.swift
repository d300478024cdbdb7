import EWMIO
import Envs
import Foundation

/// What a closed-loop sweep reports, whatever the group (PushT's orientations, SE(3) samples): per controller and
/// element, success with its Wilson 95% interval; per controller, pooled figures at and off the model's training
/// slice, the spread across elements and a chi-square homogeneity test (`eval closed-loop`).
public struct ClosedLoopReport: TextReport, Sendable {
    /// One controller at one group element.
    public struct Row: Encodable, Sendable {
        public var controller: String
        /// The element's coordinates (planar: [theta]; SE(3): rotation vector and translation).
        public var element: [Double]
        /// Whether the element lies in the model's training slice (nil: not known, e.g. the oracle).
        public var inSlice: Bool?
        public var successes: Int
        public var episodes: Int
        public var successRate: Double
        public var interval95: [Double]
        /// The mean end-of-episode figure (`ClosedLoopReport.finalFigure`).
        public var meanFinal: Double
        /// Wall-clock planning time (nil with `--no-timings`).
        public var secondsPerPlan: Double?
        public var degenerateFrames: Int
        public var identityFrames: Int
        public var plans: Int
        public var maxDeviation: Double

        public init<E>(controller: String, element: [Double], inSlice: Bool?, cell c: ClosedLoopCell<E>) {
            self.controller = controller; self.element = element; self.inSlice = inSlice; successes = c.successes
            episodes = c.episodes; successRate = c.successRate; interval95 = c.interval95; meanFinal = c.meanFinal
            secondsPerPlan = c.secondsPerPlan; degenerateFrames = c.degenerateFrames; identityFrames = c.identityFrames
            plans = c.plans; maxDeviation = c.maxDeviation
        }
    }

    /// One controller's figures pooled over its rows (the reference element's row first).
    public struct Summary: Encodable, Sendable {
        public var controller: String
        public var model: String?
        public var trainingSlice: String?
        public var parameters: Int?
        public var identitySuccess: Double
        public var offSliceSuccess: Double?
        public var offSliceInterval95: [Double]?
        public var allSuccess: Double
        public var allInterval95: [Double]
        public var minSuccess: Double
        public var maxSuccess: Double
        /// Flatness: max - min success across elements, against the mean interval width.
        public var maxMinusMin: Double
        public var meanIntervalWidth: Double
        /// Chi-square homogeneity p-value across the elements (p > 0.05: no evidence against flat).
        public var homogeneityP: Double
        public var degenerateFrames: Int
        public var plans: Int
        /// Wall-clock planning time (nil with `--no-timings`).
        public var secondsPerPlan: Double?

        /// Pools `rows` (one controller's, reference first); `seconds` = its total planning time.
        public init(rows: [Row], controller: String, model: String?, trainingSlice: String?, parameters: Int?, seconds: Double) {
            let off = rows.filter { $0.inSlice == false }
            let offS = off.map(\.successes).reduce(0, +), offN = off.map(\.episodes).reduce(0, +)
            let allS = rows.map(\.successes).reduce(0, +), allN = rows.map(\.episodes).reduce(0, +)
            let offCI = offN > 0 ? wilsonInterval(successes: offS, trials: offN) : nil
            let allCI = wilsonInterval(successes: allS, trials: allN)
            let rates = rows.map(\.successRate)
            self.controller = controller; self.model = model; self.trainingSlice = trainingSlice; self.parameters = parameters
            identitySuccess = rows[0].successRate
            offSliceSuccess = offN > 0 ? Double(offS) / Double(offN) : nil
            offSliceInterval95 = offCI.map { [$0.low, $0.high] }
            allSuccess = Double(allS) / Double(allN); allInterval95 = [allCI.low, allCI.high]
            minSuccess = rates.min()!; maxSuccess = rates.max()!; maxMinusMin = maxSuccess - minSuccess
            meanIntervalWidth = rows.map { $0.interval95[1] - $0.interval95[0] }.reduce(0, +) / Double(rows.count)
            homogeneityP = Homogeneity.pValue(successes: rows.map(\.successes), trials: rows.map(\.episodes))
            degenerateFrames = rows.map(\.degenerateFrames).reduce(0, +); plans = rows.map(\.plans).reduce(0, +)
            secondsPerPlan = plans == 0 ? 0 : seconds / Double(plans)
        }
    }

    public var env: String
    public var `protocol`: String
    public var rotation: String
    public var episodes: Int
    /// What a row's `meanFinal` is (PushT: final coverage; teacher3d: final mean point error, m).
    public var finalFigure: String
    public var rows: [Row]
    public var summaries: [Summary]
    /// Whether the first equivariant controller's pooled interval is disjoint from each baseline's off-slice interval.
    public var disjoint: [String: Bool]

    public init(env: String, protocol name: String, rotation: RotationBuild, episodes: Int, finalFigure: String, rows: [Row], summaries: [Summary]) {
        self.env = env; self.protocol = name; self.rotation = rotation.rawValue; self.episodes = episodes; self.finalFigure = finalFigure
        self.rows = rows; self.summaries = summaries; disjoint = Self.disjoint(summaries)
    }

    /// For each baseline (not equivariant) with off-slice rows: whether its off-slice interval and the first
    /// equivariant controller's pooled interval are disjoint.
    public static func disjoint(_ summaries: [Summary]) -> [String: Bool] {
        var result: [String: Bool] = [:]
        guard let eq = summaries.first(where: { $0.controller.hasPrefix("equivariant") }) else { return result }
        for b in summaries where !b.controller.hasPrefix("equivariant") {
            if let ci = b.offSliceInterval95 { result[b.controller] = ci[1] < eq.allInterval95[0] || ci[0] > eq.allInterval95[1] }
        }
        return result
    }

    /// Two tables (per controller and element; per controller pooled) and which intervals are disjoint.
    public var text: String {
        let fixed = { (x: Double?, d: Int) in TextTable.fixed(x, d) }
        let span = { (ci: [Double]) in "\(fixed(ci[0], 2))-\(fixed(ci[1], 2))" }
        let perElement = TextTable.render(
            ["controller", "element", "in slice", "success", "95% CI", finalFigure, "s/plan", "degenerate", "deviation"],
            rows.map { r in
                [
                    r.controller, r.element.map { fixed($0, 3) }.joined(separator: ","), r.inSlice.map { $0 ? "yes" : "no" } ?? "-",
                    fixed(r.successRate, 2), span(r.interval95), fixed(r.meanFinal, 3), fixed(r.secondsPerPlan, 3),
                    "\(r.degenerateFrames)/\(r.plans)",
                    TextTable.short(r.maxDeviation),
                ]
            })
        let pooled = TextTable.render(
            ["controller", "params", "identity", "off-slice", "off-slice CI", "all", "all CI", "max - min", "mean CI width", "chi2 p"],
            summaries.map { s in
                [
                    s.controller, s.parameters.map(String.init) ?? "-", fixed(s.identitySuccess, 3), fixed(s.offSliceSuccess, 3),
                    s.offSliceInterval95.map(span) ?? "-", fixed(s.allSuccess, 3), span(s.allInterval95), fixed(s.maxMinusMin, 3),
                    fixed(s.meanIntervalWidth, 3), fixed(s.homogeneityP, 3),
                ]
            })
        let verdicts = disjoint.sorted { $0.key < $1.key }.map {
            "equivariant (all elements) vs \($0.key) off-slice: 95% intervals \($0.value ? "disjoint" : "overlap")"
        }
        return ([perElement, "", pooled] + verdicts).joined(separator: "\n")
    }
}

import ArgumentParser
import EWMIO
import Envs
import Foundation
import Tensor
import Train

/// The `ewm-sim` command set. An outside package that adds envs gets all of it for them through
/// `EWMSimCommand.main(registering:)` (see `Examples/ReachPlane` and docs/adding-an-environment.md).
public struct EWMSimCommand: ParsableCommand {
    public init() {}

    /// Registers `registrations` (an outside package's envs, with their adapters), then runs the command line.
    public static func main(registering registrations: [EnvRegistration]) {
        registrations.forEach(Registry.register)
        main()
    }

    /// The version `--version` prints, on its first line.
    public static let version = "0.1.0"

    /// What `--version` prints: the version, then the BLAS library and kernel in use and who chose the kernel.
    static var versionText: String {
        let blas = BLAS.backend
        var lines = ["ewm-sim \(version)", "BLAS: \(blas.summary)"]
        if let config = blas.config { lines.append("  \(config)") }
        if let path = blas.path { lines.append("  \(path)") }
        return lines.joined(separator: "\n")
    }

    public static let configuration = CommandConfiguration(
        commandName: "ewm-sim",
        abstract: "Simulation environments, equivariant world models and planners.",
        discussion: "Envs: \(Registry.ids.joined(separator: ", ")). Box2D \(box2DVersion).",
        version: versionText,
        subcommands: [
            List.self, PushT.self, Run.self, Replay.self, Serve.self, Collect.self, TrainCommand.self, Eval.self, Experiment.self, Bench.self,
            Check.self, Merge.self,
        ]
    )
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Speed benchmarks (build with -c release).",
        subcommands: [BenchEnv.self, BenchTrainStep.self],
        defaultSubcommand: BenchEnv.self)
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure exactness claims and print the residuals.",
        subcommands: [CheckOrbit.self, CheckEquivariance.self, CheckPlanner.self])
}

/// Options shared by commands that report figures.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the figures as JSON (and no progress line).")
    var json = false
}

/// Options that build an env: observation type, group element, build, and the env's own extras.
struct WorldOptions: ParsableArguments {
    @Option(name: .long, help: "Observation type (default: the env's; pusht: state, keypoints, pixels; push3d: points, state).")
    var obs: String?
    @Option(name: .long, help: "Orientation theta of the world, radians, about the env's centre (3D worlds: about z).")
    var orientation: Double = 0
    @Option(help: "3D worlds: any element of SE(3), 'wx,wy,wz,tx,ty,tz' (rotation vector, radians; translation, m), after --orientation.")
    var se3: String?
    @Option(name: .long, help: "How the element is realised: frame (exact wrapper) or world (the simulated world itself built transformed).")
    var rotation: RotationBuild = .frame
    @Option(
        name: .customLong("env-option"),
        help: "An env's own option key=value (pusht: reset-order=legacy|angle-first; push3d: shape=t|box|l|tripod); repeat.")
    var envOptions: [String] = []

    func validate() throws {
        guard orientation.isFinite else { throw ValidationError("--orientation must be a finite number of radians") }
        if let s = se3, SE3Transform(parsing: s) == nil { throw ValidationError("--se3 needs six finite numbers 'wx,wy,wz,tx,ty,tz'") }
        for o in envOptions where !o.contains("=") { throw ValidationError("--env-option needs key=value, got '\(o)'") }
    }

    func makeOptions(timeLimit: Bool = true) -> MakeOptions {
        var options = MakeOptions(observation: obs, orientation: orientation, rotation: rotation, timeLimit: timeLimit)
        if let se3 { options.extra["se3"] = se3 }
        for o in envOptions {
            let kv = o.split(separator: "=", maxSplits: 1).map(String.init)
            options.extra[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return options
    }
}

extension RotationBuild: ExpressibleByArgument {}

/// A failure the user can act on; ArgumentParser prints it and exits non-zero.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Encodes a value as pretty, key-sorted JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A bench report with the BLAS library and kernel in use beside its own figures: JSON key `blas` (`BLASBackend`)
/// next to the report's keys, and a last line of text.
struct WithBLAS<Report: TextReport>: TextReport {
    var report: Report
    var blas = BLAS.backend

    private enum Key: String, CodingKey { case blas }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(blas, forKey: .blas)
    }

    var text: String { report.text + "\nBLAS: " + blas.summary }
}

/// Prints `report` as JSON (`json`) or as its text.
func emit(_ report: some TextReport, json: Bool) throws {
    if json { try printJSON(report) } else { print(report.text) }
}

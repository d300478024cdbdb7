import ArgumentParser
import Envs
import Foundation
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

    public static let configuration = CommandConfiguration(
        commandName: "ewm-sim",
        abstract: "Simulation environments, equivariant world models and planners.",
        discussion: "Envs: \(Registry.ids.joined(separator: ", ")). Box2D \(box2DVersion).",
        subcommands: [List.self, PushT.self, Run3D.self, Replay.self, Serve.self, Collect.self, TrainCommand.self, Eval.self, Bench.self, Check.self]
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
        subcommands: [CheckOrbit.self, CheckEquivariance.self, CheckPlanner.self, CheckSE3.self])
}

/// Options shared by commands that report figures.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the figures as JSON (and no progress line).")
    var json = false
}

/// Options that pick an env's observation type and orientation.
struct WorldOptions: ParsableArguments {
    @Option(name: .long, help: "Observation type (pusht: state, keypoints, pixels).")
    var obs: String = "state"

    @Option(name: .long, help: "Orientation theta of the world, radians, about the workspace centre.")
    var orientation: Double = 0

    @Option(name: .long, help: "How the orientation is realised: frame (exact) or world (the Box2D world rotated).")
    var rotation: RotationBuild = .frame

    @Option(name: .long, help: "PushT reset order: legacy (the reference's evaluation default) or angle-first.")
    var resetOrder: String = "legacy"

    func validate() throws {
        guard orientation.isFinite else { throw ValidationError("--orientation must be a finite number of radians") }
        guard ["legacy", "angle-first"].contains(resetOrder) else { throw ValidationError("--reset-order must be legacy or angle-first") }
    }

    func makeOptions(timeLimit: Bool = true) -> MakeOptions {
        var options = MakeOptions(observation: obs, orientation: orientation, rotation: rotation, timeLimit: timeLimit)
        options.extra["reset-order"] = resetOrder
        return options
    }

    var rotationValue: PlanarRotation { PlanarRotation(angle: orientation, center: PushTGeometry.workspaceCenter) }
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

/// Right-aligned text table.
func table(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { i in max(header[i].count, rows.map { $0[i].count }.max() ?? 0) }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }.joined(separator: "  ")
    }
    return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
}

func fmt(_ x: Double?, _ digits: Int = 3) -> String {
    guard let x else { return "-" }
    return String(format: "%.\(digits)f", x)
}

/// The env checks `collect` and `train` share: a registered env with world-model adapters; 3D worlds take no
/// frameskip; frame stacking and the previous-action point are checked against the env's model reading.
func validateModelEnv(_ env: String, frameskip: Int, history: Int, previousAction: Bool) throws {
    do {
        if CloudLayout.isSupported(env) {
            guard frameskip == 1 else { throw ValidationError("--frameskip applies to planar envs, not \(env)") }
        } else {
            _ = try ObservationLayout.forEnv(env, history: history, previousAction: previousAction)
        }
    } catch let error as EnvError {
        throw ValidationError(error.description)
    }
}

import EWMIO
import Foundation
import Testing

/// End-to-end tests: run the built `ewm-sim` binary as a user would.
enum CLI {
    /// The executable sits beside the test bundle in the build products directory.
    static let binary: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" { dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
        return dir.appendingPathComponent("ewm-sim")
    }()

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    /// Runs the binary; `environment` adds to (a nil value removes from) the test's own environment.
    static func run(_ arguments: [String], input: String? = nil, in directory: URL? = nil, environment: [String: String?] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            var e = ProcessInfo.processInfo.environment
            for (k, v) in environment { e[k] = v }
            process.environment = e
        }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewm-sim-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

@Suite(.serialized) struct CLITests {
    @Test func listShowsPushTWithItsSpaces() throws {
        let r = try CLI.run(["list", "--json"])
        #expect(r.status == 0)
        let entries = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        let pusht = entries.first { $0["id"] as? String == "pusht" }
        #expect(pusht != nil)
        let action = pusht?["actionSpace"] as? [String: Any]
        #expect(action?["shape"] as? [Int] == [2] && action?["dtype"] as? String == "float64" && action?["high"] as? Double == 512)
        let state = (pusht?["observationSpaces"] as? [String: [String: Any]])?["state"]
        #expect((state?["high"] as? [Double])?.last == 2 * Double.pi)
    }

    /// One reply per request line, blank lines included, and machine-readable spaces.
    @Test func serveRepliesOncePerLine() throws {
        let lines = [#"{"reset": {"seed": 3}}"#, "", #"{"step": [1e308, 1e308]}"#, "  ", #"{"spaces": true}"#, #"{"step": [100, 200]}"#]
        let r = try CLI.run(["serve", "pusht"], input: lines.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        let replies = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(replies.count == lines.count, "\(r.stdout)")
        let objects = try replies.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects[1]["error"] != nil && objects[3]["error"] != nil)
        #expect((objects[2]["error"] as? String)?.contains("non-finite") == true)
        #expect(objects[4]["observation"] != nil && objects[5]["obs"] != nil)
    }

    @Test func pushtRunReportsJSONAndWritesDumpAndPictures() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dump = dir.appendingPathComponent("run.npz"), pictures = dir.appendingPathComponent("frames")
        let r = try CLI.run([
            "pusht", "--orientation", "0.7", "--episodes", "2", "--max-steps", "5", "--json",
            "--dump", dump.path, "--render", pictures.path, "--frame-size", "64",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect((report["episodes"] as? [Any])?.count == 2)
        let arrays = try Npz.read(from: dump)
        #expect(arrays["observation.state"]?.shape == [12, 5])
        #expect(arrays["action"]?.shape == [12, 2])
        #expect(try arrays["meta.orientation"]?.doubles() == [0.7])
        let files = try FileManager.default.contentsOfDirectory(atPath: pictures.path)
        #expect(files.contains("episode_000.png") && files.contains("episode_001.html") && files.contains("frame_000_0005.png"))
    }

    @Test func replayWritesWhatTheEnvReportsAndRejectsBadInput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.npz"), output = dir.appendingPathComponent("out.npz")
        let actions = (0..<(2 * 3 * 2)).map { 200 + Double($0) * 7 }
        try Npz.write(
            [("seed", try NpyArray(int64: [0, 5], shape: [2])), ("actions", try NpyArray(float64: actions, shape: [2, 3, 2]))], to: input)
        let r = try CLI.run(["replay", "pusht", "--input", input.path, "--output", output.path])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try Npz.read(from: output)
        #expect(out["obs"]?.shape == [2, 4, 5])
        #expect(out["keypoints"]?.shape == [2, 4, 8, 2])
        #expect(out["terminated"]?.dtype == .bool)
        // seed 0 starts where the reference starts (reset_seeds.json, seed 0).
        let obs = try out["obs"]!.doubles()
        #expect(abs(obs[0] - 390) < 1e-9 && abs(obs[2] - 241.54255640895335) < 1e-9)

        // NaN action: non-zero exit, a message naming the place, no output written.
        let bad = dir.appendingPathComponent("bad.npz"), badOut = dir.appendingPathComponent("bad-out.npz")
        var nanActions = actions
        nanActions[3] = .nan
        try Npz.write(
            [("seed", try NpyArray(int64: [0, 5], shape: [2])), ("actions", try NpyArray(float64: nanActions, shape: [2, 3, 2]))], to: bad)
        let n = try CLI.run(["replay", "pusht", "--input", bad.path, "--output", badOut.path])
        #expect(n.status != 0)
        #expect(n.stderr.contains("must be finite"))
        #expect(!FileManager.default.fileExists(atPath: badOut.path))

        // Corrupt, missing, wrongly shaped.
        let corrupt = dir.appendingPathComponent("corrupt.npz")
        try Data("PK\u{3}\u{4} not really a zip".utf8).write(to: corrupt)
        let c = try CLI.run(["replay", "pusht", "--input", corrupt.path, "--output", badOut.path])
        #expect(c.status != 0 && !c.stderr.isEmpty)
        let m = try CLI.run(["replay", "pusht", "--input", dir.appendingPathComponent("missing.npz").path, "--output", badOut.path])
        #expect(m.status != 0 && m.stderr.contains("no such input file"))
        let shaped = dir.appendingPathComponent("shaped.npz")
        try Npz.write([("seed", try NpyArray(int64: [0], shape: [1])), ("actions", try NpyArray(float64: [1, 2, 3], shape: [1, 3]))], to: shaped)
        let s = try CLI.run(["replay", "pusht", "--input", shaped.path, "--output", badOut.path])
        #expect(s.status != 0 && s.stderr.contains("(E, T, 2)"))
        let both = dir.appendingPathComponent("both.npz")
        try Npz.write(
            [
                ("seed", try NpyArray(int64: [0], shape: [1])), ("reset_to_state", try NpyArray(float64: [1, 2, 3, 4, 5], shape: [1, 5])),
                ("actions", try NpyArray(float64: [1, 2], shape: [1, 1, 2])),
            ], to: both)
        let b = try CLI.run(["replay", "pusht", "--input", both.path, "--output", badOut.path])
        #expect(b.status != 0 && b.stderr.contains("not both"))
    }

    @Test func serveAnswersEveryLineAndSurvivesBadRequests() throws {
        let requests = [
            #"{"reset": {"seed": 3}}"#, #"{"step": [300, 300]}"#, #"{"step": [1]}"#, #"{"step": ["x", 2]}"#,
            "not json", #"{"reset": {"state": [1, 2, 3, 4]}}"#, #"{"step": [310, 300]}"#, #"{"close": true}"#,
        ]
        let r = try CLI.run(["serve", "pusht"], input: requests.joined(separator: "\n") + "\n")
        #expect(r.status == 0)
        let replies = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(replies.count == requests.count)
        #expect(replies[0]["obs"] != nil && replies[1]["reward"] != nil)
        for i in [2, 3, 4, 5] { #expect(replies[i]["error"] != nil, "request \(i) should fail") }
        #expect(replies[6]["obs"] != nil)  // still serving after the errors
        #expect(replies[7]["closed"] as? Bool == true)
    }

    @Test func badArgumentsExitNonZeroWithAMessage() throws {
        for args in [
            ["pusht", "--episodes", "0"], ["pusht", "--orientation", "nan"], ["pusht", "--obs", "depth"],
            ["serve", "nope"], ["pusht", "--dump", "x.txt"], ["pusht", "--rotation", "sideways"],
        ] {
            let r = try CLI.run(args)
            #expect(r.status != 0, "\(args) should fail")
            #expect(!r.stderr.isEmpty, "\(args) should explain")
        }
    }

    /// The README's main job, cut down: the equivariant planner with the default model at orientation 0.7, and
    /// its closed loop against the seen orientation's.
    @Test func mainJobPlansEquivariantlyWithTheDefaultModel() throws {
        let r = try CLI.run([
            "pusht", "--orientation", "0.7", "--planner", "equivariant", "--episodes", "1",
            "--samples", "24", "--iterations", "3", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let deviation = (report["maxDeviation"] as? NSNumber)?.doubleValue ?? .infinity
        #expect(deviation < 1e-9)
        #expect((report["episodes"] as? [Any])?.count == 1)
        #expect(report["degenerateFrames"] as? Int == 0)
        let threads = report["threads"] as? Int ?? 0
        #expect((1...ProcessInfo.processInfo.activeProcessorCount).contains(threads))
    }

    /// `eval --data` measures a model on given canonical-frame transitions (here freshly collected at orientation 0)
    /// and refuses transitions recorded at other orientations.
    @Test func evalRunsOnGivenTransitionsAndRefusesRotatedOnes() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../assets/pusht-vn-fs5/checkpoint.safetensors").standardized.path
        for (name, slice) in [("canonical", "0:0"), ("rotated", "-15:15")] {
            let c = try CLI.run([
                "collect", "pusht", "--frameskip", "5", "--start", "reference", "--episodes", "3", "--episode-steps", "4",
                "--slice=\(slice)", "--seed", "5", "--out", dir.appendingPathComponent(name).path, "--json",
            ])
            #expect(c.status == 0, "\(c.stderr)")
        }
        let r = try CLI.run([
            "eval", "rollout", "--checkpoint", model, "--data", dir.appendingPathComponent("canonical").path,
            "--horizons", "1,2", "--orientations", "4", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let reports = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
        let ratio = reports?.first?["bodyMotionRatio"] as? [Double]
        #expect(ratio?.count == 2 && ratio!.allSatisfy { $0 > 0.3 && $0 < 3 })
        let bad = try CLI.run(["eval", "one-step", "--checkpoint", model, "--data", dir.appendingPathComponent("rotated").path])
        #expect(bad.status != 0 && bad.stderr.contains("orientations"))
    }

    /// One command set for planar and 3D worlds: `run` any env, `collect`/`train` a 3D world, `eval one-step` on its
    /// checkpoint (the SE(3) ladder) and `eval closed-loop --env` across SE(3) samples.
    @Test func theCommandSetServesA3DWorld() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["run", "push3d", "--env-option", "shape=box", "--max-steps", "3", "--episodes", "2", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"mean_point_error\"") && run.stdout.contains("\"shape\" : \"box\""))
        let data = dir.appendingPathComponent("d").path, model = dir.appendingPathComponent("vn").path
        for args in [
            ["collect", "teacher3d", "--episodes", "4", "--episode-steps", "5", "--out", data, "--json"],
            [
                "train", "--env", "teacher3d", "--data", data, "--episodes", "4", "--episode-steps", "5", "--steps", "3", "--batch", "8", "--out",
                model, "--json",
            ],
        ] {
            let r = try CLI.run(args)
            #expect(r.status == 0, "\(args[0]): \(r.stderr)")
        }
        let checkpoint = model + "/checkpoint.safetensors"
        let ladder = try CLI.run(["eval", "one-step", "--checkpoint", checkpoint, "--elements", "2", "--episodes", "2", "--json"])
        #expect(ladder.status == 0 && ladder.stdout.contains("\"trainingRung\""), "\(ladder.stderr)")
        let loop = try CLI.run([
            "eval", "closed-loop", "--env", "teacher3d", "--controller", "equivariant:\(checkpoint)", "--elements", "2", "--episodes", "1",
            "--samples", "8", "--iterations", "1", "--json",
        ])
        #expect(loop.status == 0, "\(loop.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(loop.stdout.utf8)) as? [String: Any]
        #expect((report?["rows"] as? [Any])?.count == 2 && report?["env"] as? String == "teacher3d")
        let planarModel = try CLI.run(["eval", "closed-loop", "--env", "teacher3d", "--controller", "equivariant", "--elements", "2"])
        #expect(planarModel.status != 0 && planarModel.stderr.contains("equivariant:CHECKPOINT"))
    }

    /// `eval closed-loop` finds its default models (VN and the MLP baseline) from any working directory.
    @Test func closedLoopFindsItsDefaultModelsFromAnyDirectory() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(
            [
                "eval", "closed-loop", "--orientations", "2", "--episodes", "1", "--samples", "16", "--iterations", "1",
                "--json",
            ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("pusht-mlp-expert"))
    }

    /// Two checkpoints of the same model kind are told apart by their directory names in the table.
    @Test func evalLabelsRepeatedModelKindsByTheirRunDirectory() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../assets/pusht-vn/checkpoint.safetensors").standardized
        var paths: [String] = []
        for name in ["lr-a", "lr-b"] {
            let d = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: model, to: d.appendingPathComponent("checkpoint.safetensors"))
            paths += ["--checkpoint", d.appendingPathComponent("checkpoint.safetensors").path]
        }
        let r = try CLI.run(["eval", "one-step"] + paths + ["--episodes", "3", "--orientations", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("vn lr-a") && r.stdout.contains("vn lr-b"))
    }

    @Test func plannerFlagsThatExcludeEachOtherAreRejected() throws {
        for args in [
            ["pusht", "--planner", "cem", "--policy", "random"], ["pusht", "--planner", "oracle", "--model", "x.safetensors"],
            ["pusht", "--model", "x.safetensors"], ["pusht", "--planner", "equivariant", "--model", "/nonexistent.safetensors"],
            ["pusht", "--planner", "equivariant", "--execute", "1000"], ["pusht", "--planner", "equivariant", "--action-repeat", "0"],
            ["pusht", "--planner", "equivariant", "--action-repeat", "3"],
            ["pusht", "--planner", "oracle", "--learned-weight", "0"], ["pusht", "--planner", "equivariant", "--threads", "0"],
            ["pusht", "--planner", "equivariant", "--learned-weight", "-1"],
            ["train", "--env", "teacher2d", "--observation-weight", "2", "--out", "/tmp/never"],
            ["collect", "pusht", "--random-std", "0", "--out", "/tmp/never"],
        ] {
            let r = try CLI.run(args)
            #expect(r.status != 0, "\(args) should fail")
            #expect(!r.stderr.isEmpty)
        }
    }

    @Test func versionNamesTheBLASKernelAndWhoChoseIt() throws {
        let r = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": nil])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ewm-sim ") == true, "\(r.stdout)")
        #expect(lines.count > 1 && lines[1].hasPrefix("BLAS: OpenBLAS ") && lines[1].contains("kernel "), "\(r.stdout)")
        // A kernel set in the environment is the user's: taken as it is, and said so.
        let forced = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(forced.status == 0)
        #expect(forced.stdout.contains("kernel Prescott, from OPENBLAS_CORETYPE=Prescott in the environment"), "\(forced.stdout)")
    }

    @Test func everyBenchJSONNamesTheBLASBackendAndKernel() throws {
        for args in [
            ["bench", "env", "pusht", "--envs", "0", "--seconds", "0.05", "--json"],
            ["bench", "train-step", "--steps", "1", "--warmup", "0", "--json"],
        ] {
            let r = try CLI.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
            let blas = report["blas"] as? [String: Any]
            #expect(blas?["backend"] as? String == "OpenBLAS", "\(args)")
            #expect((blas?["kernel"] as? String)?.isEmpty == false, "\(args)")
            #expect((blas?["config"] as? String)?.hasPrefix("OpenBLAS ") == true, "\(args)")
            #expect(["ewm-sim", "environment", "openblas"].contains(blas?["chosenBy"] as? String ?? ""), "\(args)")
            // The report's own figures are still at the top level beside it.
            #expect(report["singleStepsPerSecond"] != nil || report["swift"] != nil, "\(args)")
        }
    }

    /// `bench train-step` in rounds: against OpenBLAS in one process (on a CPU with the chain kernel), and with
    /// PyTorch's side unavailable (ours still timed and reported, with the reason); the two together refused.
    @Test func trainStepBenchRoundsAndTheirFailures() throws {
        if try CLI.run(["--version"]).stdout.contains("fma-chain-") {
            let r = try CLI.run([
                "bench", "train-step", "--against-openblas", "--threads", "2", "--steps", "1", "--rounds", "2", "--warmup", "0", "--json",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
            #expect((report["rounds"] as? [Any])?.count == 2)
            #expect((report["speedup"] as? Double ?? 0) > 0)
            #expect((report["kernel"] as? String)?.hasPrefix("fma-chain-") == true, "\(r.stdout)")
        }
        let noTorch = try CLI.run([
            "bench", "train-step", "--torch", "--python", "/nonexistent/python3", "--steps", "1", "--rounds", "3", "--warmup", "0", "--json",
        ])
        #expect(noTorch.status == 0, "\(noTorch.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(noTorch.stdout.utf8)) as! [String: Any]
        #expect((report["swift"] as? [String: Any])?["timedSteps"] as? Int == 3)
        #expect((report["torchError"] as? String)?.isEmpty == false, "\(noTorch.stdout)")
        #expect(report["speedup"] == nil)
        let both = try CLI.run(["bench", "train-step", "--torch", "--against-openblas"])
        #expect(both.status != 0)
        #expect(both.stderr.contains("--against-openblas"), "\(both.stderr)")
    }
}

/// Safe outputs end to end (issue 14).
@Suite(.serialized) struct SafeOutputCLITests {
    func makeInput(in dir: URL) throws -> URL {
        let input = dir.appendingPathComponent("in.npz")
        let actions = (0..<(2 * 3 * 2)).map { 200 + Double($0) * 7 }
        try Npz.write(
            [("seed", try NpyArray(int64: [0, 5], shape: [2])), ("actions", try NpyArray(float64: actions, shape: [2, 3, 2]))], to: input)
        return input
    }

    @Test func replayRefusesItsOwnInputByAnotherSpelling() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try makeInput(in: dir)
        let before = try Data(contentsOf: input)
        for output in ["./in.npz", input.path, dir.path + "/./in.npz"] {
            let r = try CLI.run(["replay", "pusht", "--input", "in.npz", "--output", output], in: dir)
            #expect(r.status != 0, "--output \(output) was accepted")
            #expect(r.stderr.contains("input") && r.stderr.contains("in.npz"), "\(r.stderr)")
            #expect(try Data(contentsOf: input) == before)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files == ["in.npz"], "\(files)")
    }

    @Test func replayRefusesASymbolicLinkAndAFIFO() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try makeInput(in: dir)
        let target = dir.appendingPathComponent("target.npz")
        try Data("keep".utf8).write(to: target)
        let link = dir.appendingPathComponent("link.npz")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        let fifo = dir.appendingPathComponent("fifo.npz")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        // A device node of our own, never /dev/null (a broken check would replace the machine's); root only.
        let device = dir.appendingPathComponent("device.npz")
        var cases = [(link, "symbolic link"), (fifo, "FIFO")]
        if mknod(device.path, S_IFCHR | 0o600, dev_t(0x103) /* major 1, minor 3: a null device */) == 0 { cases.append((device, "device")) }
        for (output, words) in cases {
            let r = try CLI.run(["replay", "pusht", "--input", input.path, "--output", output.path])
            #expect(r.status != 0 && r.stderr.contains(output.path) && r.stderr.contains(words), "\(r.stderr)")
        }
        #expect(try Data(contentsOf: target) == Data("keep".utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
    }

    /// A write that fails half way (the file-size limit: EFBIG) leaves no temporary file and names the output.
    @Test func aFailedWriteLeavesNoTemporaryFile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try makeInput(in: dir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // An ignored SIGXFSZ is inherited across exec, so the write returns EFBIG instead of killing the process.
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" replay pusht --input in.npz --output out.npz", CLI.binary.path]
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("out.npz"), "\(message)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files == ["in.npz"], "\(files)")
    }

    /// Finite but huge actions are not stepped into NaN rows: replay fails naming the episode and step.
    @Test func replayRejectsHugeActions() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.npz")
        try Npz.write(
            [("seed", try NpyArray(int64: [0], shape: [1])), ("actions", try NpyArray(float64: [100, 100, 1e308, 1e308], shape: [1, 2, 2]))],
            to: input)
        let r = try CLI.run(["replay", "pusht", "--input", input.path, "--output", dir.appendingPathComponent("out.npz").path])
        #expect(r.status != 0 && r.stderr.contains("episode 0, step 1") && r.stderr.contains("non-finite"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.npz").path))
    }
}

/// Models (issue 14) end to end: the equivariant planner refuses an MLP checkpoint before planning.
@Suite struct ModelSafetyCLITests {
    @Test func equivariantPlannerRefusesAnMLPCheckpoint() throws {
        let mlp = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../assets/pusht-mlp-fs5/checkpoint.safetensors").standardized.path
        let r = try CLI.run(["pusht", "--planner", "equivariant", "--model", mlp, "--episodes", "1"])
        #expect(r.status != 0 && r.stderr.contains("equivariant by construction") && r.stderr.contains("--allow-non-equivariant"), "\(r.stderr)")
    }
}

/// File errors end to end (issue 14): the path and what is wrong, never a raw Foundation error.
@Suite struct FileErrorsCLITests {
    @Test func directoriesAndFilesInTheWrongPlaceAreNamedInWords() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: dir.appendingPathComponent("afile"))
        let cases: [([String], String, String)] = [
            (["pusht", "--planner", "cem", "--model", "adir", "--episodes", "1"], "adir", "is a directory"),
            (["eval", "one-step", "--checkpoint", "adir"], "adir", "is a directory"),
            (["collect", "pusht", "--episodes", "2", "--episode-steps", "2", "--out", "afile"], "afile", "a file of that name exists"),
            (["pusht", "--episodes", "1", "--max-steps", "2", "--dump", "afile/x.npz"], "afile", "a file of that name exists"),
            (["pusht", "--episodes", "1", "--max-steps", "2", "--render", "afile"], "afile", "a file of that name exists"),
            (["train", "--env", "pusht", "--model", "vn", "--data", "afile", "--out", "o"], "afile", "is a file, not a directory"),
            (["train", "--env", "pusht", "--model", "vn", "--data", "missing", "--out", "o"], "missing", "no such directory"),
        ]
        for (arguments, path, words) in cases {
            let r = try CLI.run(arguments, in: dir)
            #expect(
                r.status != 0 && r.stderr.contains(path) && r.stderr.contains(words) && !r.stderr.contains("NSCocoaErrorDomain"),
                "\(arguments.joined(separator: " ")): \(r.stderr)")
        }
        #expect(try Data(contentsOf: dir.appendingPathComponent("afile")) == Data("x".utf8))
    }
}

@Suite struct ReproduceCLITests {
    /// The dry listing of the paper scale, as JSON: every part with its sizes, nothing run.
    @Test func dryRunListsEveryPartAsJSON() throws {
        let r = try CLI.run(["reproduce", "--scale", "paper", "--dry-run", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let parts = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
        #expect(parts?.count == 19)
        #expect(parts?.first?["part"] as? String == "fidelity")
        let closedLoop = parts?.first { $0["part"] as? String == "closed-loop-pusht" }
        #expect((closedLoop?["sizes"] as? String)?.contains("16 orientations x 10 tasks") == true)
    }

    @Test func aRunNeedsAnOutputDirectoryAndAKnownScale() throws {
        let missing = try CLI.run(["reproduce"])
        #expect(missing.status != 0 && missing.stderr.contains("give --out DIR"))
        let scale = try CLI.run(["reproduce", "--scale", "huge", "--out", "x"])
        #expect(scale.status != 0 && scale.stderr.contains("huge"))
    }

    /// The shards' dry listings: each part in exactly one shard, the array's environment giving the same shard as --shard.
    @Test func theShardsListEveryPartOnce() throws {
        func names(_ arguments: [String], environment: [String: String?] = [:]) throws -> [String] {
            let r = try CLI.run(["reproduce", "--scale", "quick", "--dry-run", "--json"] + arguments, environment: environment)
            #expect(r.status == 0, "\(r.stderr)")
            let parts = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
            return parts?.compactMap { $0["part"] as? String } ?? []
        }
        let all = try names([])
        let shards = try (0..<3).map { try names(["--shard", "\($0)/3"]) }
        #expect(shards.flatMap { $0 }.sorted() == all.sorted() && all.count == 19)
        #expect(shards.allSatisfy { !$0.isEmpty })
        #expect(shards.contains { $0.contains("teacher3d-models") && $0.contains("ladder") && $0.contains("block-isotropy") })
        let slurm = try names([], environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_COUNT": "3"])
        #expect(slurm == shards[1])
        let kubernetes = try names([], environment: ["JOB_COMPLETION_INDEX": "2", "EWM_SIM_SHARD_COUNT": "3"])
        #expect(kubernetes == shards[2])
    }

    @Test func anOutOfRangeShardIsRefusedBeforeAnyWork() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("report").path
        let flag = try CLI.run(["reproduce", "--scale", "smoke", "--shard", "2/2", "--out", out])
        #expect(flag.status != 0 && flag.stderr.contains("--shard: shard index 2 is outside 0..<2"), "\(flag.stderr)")
        let slurm = try CLI.run(
            ["reproduce", "--scale", "smoke", "--out", out], environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "2"])
        #expect(slurm.status != 0 && slurm.stderr.contains("SLURM_ARRAY_TASK_ID 5"), "\(slurm.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}

import ArgumentParser
import Envs
import Foundation

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A JSON-lines step server on stdin/stdout, so any language can drive an env.",
        discussion: """
            One request per line, exactly one reply per line (blank lines included):
              {"reset": {"seed": 3}}   {"reset": {"state": [ax, ay, bx, by, angle]}}   {"step": [x, y]}
              {"spaces": true}   {"close": true}
            Replies carry obs, reward, terminated, truncated and info; spaces gives the action and observation
            spaces (type, dtype, shape, exact low/high). A bad request (blank, malformed, unknown key) gets
            {"error": "..."} and the server keeps going.
            """)

    @Argument(help: "Env id (see `ewm-sim list`).")
    var env: String
    @OptionGroup var world: WorldOptions

    func run() throws {
        let environment = try Registry.make(env, options: world.makeOptions())
        let server = StepServer(env: environment)
        while let line = readLine(strippingNewline: true) {
            let (reply, close) = server.handle(line)
            print(reply)
            fflush(nil)  // every output stream (Swift 6: the C global `stdout` is not concurrency-safe to name)
            if close { break }
        }
    }
}

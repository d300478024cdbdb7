import Foundation

/// A self-contained HTML player for a sequence of frames (no network, no external files).
public enum HTMLAnimation {
    /// A self-contained HTML page that plays the frames (embedded as base64 PNGs) with play/pause and a frame slider,
    /// plus an optional caption per frame. Atomic write.
    ///
    /// Frames are shown with crisp (nearest-neighbour) upscaling so small renders stay readable;
    /// keys: space = play/pause, left/right arrows = step. The animation loops. The frame on show is observable: the
    /// image carries `data-frame` (its index, from 0) and `data-frames` (the count), for tests that drive the page.
    /// - Parameters:
    ///   - frames: at least one image (sizes may differ; the first sets the display size).
    ///   - fps: playback rate, finite and in `0.001...1000`.
    ///   - title: page title and heading (HTML-escaped).
    ///   - captions: `nil`, or one caption per frame (text, escaped).
    ///   - url: destination, replaced atomically.
    /// - Throws: `IOError.invalidArgument` for no frames, a bad `fps` or a caption count mismatch;
    ///   `IOError.fileSystem` if the file cannot be written.
    public static func write(frames: [RGBImage], fps: Double, title: String, captions: [String]?, to url: URL) throws {
        try writeAtomically(Data(page(frames: frames, fps: fps, title: title, captions: captions).utf8), to: url)
    }

    /// The page text `write` saves.
    public static func page(frames: [RGBImage], fps: Double, title: String, captions: [String]?) throws -> String {
        guard let first = frames.first else { throw IOError.invalidArgument("HTMLAnimation needs at least one frame") }
        guard fps.isFinite, fps >= 0.001, fps <= 1000 else {
            throw IOError.invalidArgument("HTMLAnimation fps must be finite and in 0.001...1000, got \(fps)")
        }
        if let captions, captions.count != frames.count {
            throw IOError.invalidArgument("HTMLAnimation got \(captions.count) captions for \(frames.count) frames")
        }
        let zoom = max(1, 480 / max(first.width, first.height))
        let images = frames.map { "\"data:image/png;base64," + PNG.encode($0).base64EncodedString() + "\"" }
        let captionList = (captions ?? []).map(javaScriptString)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(htmlEscaped(title))</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
              #frame { image-rendering: pixelated; border: 1px solid #bbb;
                       width: \(first.width * zoom)px; height: \(first.height * zoom)px; display: block; }
              #controls { margin: 0.6em 0; display: flex; gap: 0.8em; align-items: center; }
              #slider { width: \(max(200, first.width * zoom - 180))px; }
              #caption { font-family: ui-monospace, monospace; white-space: pre-wrap; min-height: 1.4em; }
            </style>
            </head>
            <body>
            <h2>\(htmlEscaped(title))</h2>
            <img id="frame" alt="frame" data-frame="0" data-frames="\(frames.count)">
            <div id="controls">
              <button id="play" type="button">Pause</button>
              <input id="slider" type="range" min="0" max="\(frames.count - 1)" value="0">
              <span id="counter"></span>
              <span>\(formatted(fps)) fps</span>
            </div>
            <div id="caption"></div>
            <script>
            const frames = [
            \(images.joined(separator: ",\n"))
            ];
            const captions = [\(captionList.joined(separator: ", "))];
            const fps = \(formatted(fps));
            const img = document.getElementById("frame"), slider = document.getElementById("slider");
            const button = document.getElementById("play"), counter = document.getElementById("counter");
            const caption = document.getElementById("caption");
            const preload = frames.map(src => { const i = new Image(); i.src = src; return i; });
            let index = 0, playing = frames.length > 1, timer = null;
            function show(i) {
              index = (i + frames.length) % frames.length;
              img.src = frames[index];
              img.dataset.frame = String(index);
              slider.value = index;
              counter.textContent = (index + 1) + " / " + frames.length;
              caption.textContent = captions.length ? captions[index] : "";
            }
            function setPlaying(on) {
              playing = on;
              button.textContent = on ? "Pause" : "Play";
              if (timer) { clearInterval(timer); timer = null; }
              if (on) { timer = setInterval(() => show(index + 1), 1000 / fps); }
            }
            button.addEventListener("click", () => setPlaying(!playing));
            slider.addEventListener("input", () => { setPlaying(false); show(parseInt(slider.value, 10)); });
            document.addEventListener("keydown", e => {
              if (e.key === " ") { e.preventDefault(); setPlaying(!playing); }
              else if (e.key === "ArrowRight") { setPlaying(false); show(index + 1); }
              else if (e.key === "ArrowLeft") { setPlaying(false); show(index - 1); }
            });
            show(0);
            setPlaying(playing);
            </script>
            </body>
            </html>

            """
    }

    /// Escapes text for HTML element content and attribute values.
    public static func htmlEscaped(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A double-quoted JavaScript string literal that is also safe inside `<script>`.
    static func javaScriptString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += String(format: "\\u%04x", scalar.value)
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    private static func formatted(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

#!/usr/bin/env python3
"""Checks a `ewm-sim reproduce` report in headless Chromium (Selenium): DIR/index.html and every animation page it
links load with no console error, every <img> loads with a non-zero natural width, and every player steps through
its own controls (the right-arrow key) and, playing on its own timer, wraps from its last frame to its first (the
player's image carries data-frame and data-frames).

usage: browser_check.py DIR [--json] [--chromium PATH] [--driver PATH]
"""
import argparse
import json
import pathlib
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


def make_driver(chromium, driver):
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def console_errors(d):
    return [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]


def images(d, timeout=20):
    """Waits for every <img> to finish loading; returns [(src, naturalWidth)]."""
    script = "return Array.from(document.images).map(i => [i.getAttribute('src').slice(0, 60), i.complete, i.naturalWidth])"
    deadline = time.time() + timeout
    state = d.execute_script(script)
    while not all(done for _, done, _ in state) and time.time() < deadline:
        time.sleep(0.1)
        state = d.execute_script(script)
    return [(src, width) for src, _, width in state]


def frame(d):
    return int(d.find_element(By.ID, "frame").get_attribute("data-frame"))


def check_player(d, url, failures):
    d.get(url)
    img = d.find_element(By.ID, "frame")
    count = int(img.get_attribute("data-frames"))
    # Through its controls: pause (space), then step with the right arrow past the last frame.
    body = d.find_element(By.TAG_NAME, "body")
    if d.find_element(By.ID, "play").text == "Pause":
        d.find_element(By.ID, "play").click()
    start = frame(d)
    seen = []
    for _ in range(count):
        body.send_keys(Keys.ARROW_RIGHT)
        seen.append(frame(d))
    expected = [(start + k + 1) % count for k in range(count)]
    stepped = seen == expected
    if not stepped:
        failures.append(f"{url}: right arrow showed frames {seen[:8]}..., expected {expected[:8]}...")
    # On its own timer: play and wait for the index to wrap to 0 after the last frame.
    d.find_element(By.ID, "play").click()
    fps = float(d.execute_script("return fps"))
    deadline = time.time() + 2 * count / fps + 5
    previous, wrapped = frame(d), False
    while time.time() < deadline and not wrapped:
        time.sleep(min(0.5 / fps, 0.05))
        now = frame(d)
        wrapped = now < previous and now == 0 and count > 1
        previous = now
    if count > 1 and not wrapped:
        failures.append(f"{url}: playing, the frame index did not wrap from {count - 1} to 0")
    return {"page": url, "frames": count, "stepped": stepped, "looped": wrapped}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--driver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    root = pathlib.Path(args.directory).resolve()
    index = root / "index.html"
    if not index.is_file():
        sys.exit(f"browser_check: no {index}; run `ewm-sim reproduce --out {args.directory}` first")
    failures, result = [], {"index": str(index)}
    d = make_driver(args.chromium, args.driver)
    try:
        d.get(index.as_uri())
        loaded = images(d)
        bad = [src for src, width in loaded if width <= 0]
        failures += [f"index.html: image {src} did not load" for src in bad]
        players = sorted({a.get_attribute("href") for a in d.find_elements(By.TAG_NAME, "a") if a.get_attribute("href").endswith(".html")})
        errors = console_errors(d)
        failures += [f"index.html: console error: {e}" for e in errors]
        result.update(images=len(loaded), images_loaded=len(loaded) - len(bad), console_errors=len(errors), players=[])
        for url in players:
            report = check_player(d, url, failures)
            report["images_loaded"] = sum(width > 0 for _, width in images(d))
            report["console_errors"] = console_errors(d)
            failures += [f"{url}: console error: {e}" for e in report["console_errors"]]
            result["players"].append(report)
    finally:
        d.quit()
    result["failures"] = failures
    result["passed"] = not failures
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"index.html: {result['images_loaded']}/{result['images']} images loaded, {result['console_errors']} console errors")
        for p in result["players"]:
            name = p["page"].replace(root.as_uri() + "/", "")
            print(f"player {name}: "
                  f"{p['frames']} frames, steps {'yes' if p['stepped'] else 'NO'}, loops {'yes' if p['looped'] else 'NO'}, "
                  f"{len(p['console_errors'])} console errors")
        for f in failures:
            print("FAIL " + f)
        print("browser check passed" if not failures else f"browser check FAILED ({len(failures)})")
    sys.exit(0 if not failures else 1)


if __name__ == "__main__":
    main()

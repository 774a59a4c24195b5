"""How long one slider step of the chapter 2 explorer takes.

Usage, from the repository root::

    .venv/bin/python benchmarks/explorer_latency.py             # table
    .venv/bin/python benchmarks/explorer_latency.py --json      # JSON instead
    .venv/bin/python benchmarks/explorer_latency.py --no-browser

Two measurements, both with the reference solutions of
``notebooks/02_linear_model.ipynb``:

* python: ``explorer.w_slider.value = v`` in this process, i.e. the learner's
  ``forward`` and ``mse``, drawing the moving artists and encoding the PNG;
* browser: JupyterLab and Debian's Chromium (as in ``tests/test_browser.py``)
  on a copy of the notebook; from the ArrowRight keydown on the focused ``w``
  slider handle to the animation frame in which the new image, decoded, is
  drawn. Also reported: keydown to the moment the image's ``src`` changes.

The design target is a browser step of at most 100 ms.
"""
import argparse
import json
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

import nbformat
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import test_browser as lab_driver  # noqa: E402  (Lab and Chromium exactly as the tests drive them)
from conftest import CHAPTER_2, graded_functions  # noqa: E402

from course_utils import data, widgets  # noqa: E402

TARGET_MS = 100.0

# Stamps each step in the page's own clock, so Playwright's round trips do not count.
PROBE = """([img, handle]) => {
    const probe = window.explorerProbe = {pressed: 0, src: [], painted: []};
    handle.addEventListener('keydown', () => { probe.pressed = performance.now(); }, true);
    new MutationObserver(() => {
        const pressed = probe.pressed;
        probe.src.push(performance.now() - pressed);
        img.decode().catch(() => {}).then(() => requestAnimationFrame(
            () => probe.painted.push(performance.now() - pressed)));
    }).observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def summary(samples_ms):
    return {"steps": len(samples_ms), "median_ms": statistics.median(samples_ms),
            "p95_ms": float(np.percentile(samples_ms, 95)), "max_ms": max(samples_ms)}


def python_steps(steps):
    functions = graded_functions(nbformat.read(CHAPTER_2, as_version=4))
    explorer = widgets.linear_explorer(*data.hours_points(), namespace=functions)
    # Back and forth over the slider's range so that every assignment is a change.
    sweep = np.linspace(explorer.w_slider.min, explorer.w_slider.max, 41)
    values = np.resize(np.concatenate([sweep, sweep[-2:0:-1]]), steps + 1)[1:]
    samples = []
    for value in values:
        started = time.perf_counter()
        explorer.w_slider.value = float(value)
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def browser_steps(steps, warmup=5):
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        shutil.copy(CHAPTER_2, pathlib.Path(tmp) / lab_driver.SOLVED)
        with lab_driver.jupyter_lab(tmp) as url:
            browser = lab_driver.launch_chromium(playwright)
            page = lab_driver.open_notebook(browser.new_context(), url, lab_driver.SOLVED)
            lab_driver.run_all(page)
            handle = lab_driver.slider_handle(page, "w")
            handle.wait_for(timeout=60_000)
            image = page.locator("img.widget-image")
            image.wait_for()
            page.evaluate(PROBE, [image.element_handle(), handle.element_handle()])
            handle.focus()
            for step in range(warmup + steps):
                # The explorer starts at w = 1 on [0, 4]: go up, then come back down.
                key = "ArrowRight" if (step // 40) % 2 == 0 else "ArrowLeft"
                page.keyboard.press(key)
                page.wait_for_function("n => explorerProbe.painted.length > n", arg=step,
                                       timeout=10_000)
            probe = page.evaluate("explorerProbe")
            browser.close()
    return {"src_set": summary(probe["src"][warmup:]), "painted": summary(probe["painted"][warmup:])}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=200, help="python steps (default: %(default)s)")
    parser.add_argument("--browser-steps", type=int, default=50,
                        help="browser steps (default: %(default)s)")
    parser.add_argument("--no-browser", action="store_true", help="only the python measurement")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    results = {"python": python_steps(args.steps)}
    reason = None if args.no_browser else lab_driver.missing_browser()
    if not args.no_browser and not reason:
        results.update({f"browser_{k}": v for k, v in browser_steps(args.browser_steps).items()})
    if args.json:
        print(json.dumps({**results, "browser_skipped": reason}, indent=2))
        return
    print(f"{'step':<28}{'n':>5}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    labels = {"python": "python (set w, render)", "browser_src_set": "browser keydown -> src",
              "browser_painted": "browser keydown -> painted"}
    for key, stats in results.items():
        print(f"{labels[key]:<28}{stats['steps']:>5}{stats['median_ms']:>11.1f}"
              f"{stats['p95_ms']:>9.1f}{stats['max_ms']:>9.1f}")
    if reason:
        print(f"browser skipped: {reason}")
    elif "browser_painted" in results:
        verdict = "meets" if results["browser_painted"]["p95_ms"] <= TARGET_MS else "misses"
        print(f"p95 browser step {verdict} the {TARGET_MS:g} ms target")


if __name__ == "__main__":
    main()

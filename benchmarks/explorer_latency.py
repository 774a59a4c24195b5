"""How long one slider step of every explorer takes, in the kernel and in the browser.

Usage, from the repository root::

    .venv/bin/python benchmarks/explorer_latency.py              # every chapter, table
    .venv/bin/python benchmarks/explorer_latency.py 02_linear_model --steps 50
    .venv/bin/python benchmarks/explorer_latency.py --json       # JSON instead
    .venv/bin/python benchmarks/explorer_latency.py --no-browser

Every explorer of every chapter is found by running the chapter's source
notebook (its reference solutions), and every slider of it is measured:

* kernel: setting the slider's value in an in-process IPython shell that ran
  the notebook, i.e. the learner's functions, moving the artists and
  encoding the PNG;
* browser: JupyterLab and Debian's Chromium (as in ``tests/test_browser.py``)
  on a copy of the notebook after Run All; from the arrow-key keydown on the
  focused slider handle to the animation frame in which the new image,
  decoded, is drawn. Measured in the page's own clock, so Playwright's round
  trips do not count.

The design target is a median browser step of at most 100 ms.
"""
import argparse
import contextlib
import io
import json
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

import ipywidgets
import matplotlib
import nbformat
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import test_browser as lab_driver  # noqa: E402  (Lab and Chromium exactly as the tests drive them)
from conftest import CHAPTERS, notebook_path  # noqa: E402

from course_utils.widgets import Explorer  # noqa: E402

TARGET_MS = 100.0

PROBE = """([img, handle]) => {
    if (window.explorerProbe) window.explorerProbe.observer.disconnect();
    const probe = window.explorerProbe = {pressed: 0, painted: []};
    handle.addEventListener('keydown', () => { probe.pressed = performance.now(); }, true);
    probe.observer = new MutationObserver(() => {
        const pressed = probe.pressed;
        img.decode().catch(() => {}).then(() => requestAnimationFrame(
            () => probe.painted.push(performance.now() - pressed)));
    });
    probe.observer.observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def summary(samples_ms):
    return {"steps": len(samples_ms), "median_ms": statistics.median(samples_ms),
            "p95_ms": float(np.percentile(samples_ms, 95)), "max_ms": max(samples_ms)}


def notebook_explorers(chapter):
    """The explorers the chapter's source notebook shows, built by running it in-process."""
    from IPython.core.interactiveshell import InteractiveShell

    matplotlib.use("Agg")
    shell = InteractiveShell.instance()
    shell.reset()
    found = []
    for cell in nbformat.read(notebook_path(chapter), as_version=4).cells:
        if cell.cell_type == "code":
            with contextlib.redirect_stdout(io.StringIO()):
                result = shell.run_cell(cell.source, store_history=False)
            if isinstance(result.result, Explorer):
                found.append(result.result)
    return found


def sweep(control, steps):
    """Values back and forth over a slider's range, each differing from the last."""
    if isinstance(control.value, int):
        values = np.arange(control.min, control.max + 1, max(control.step, 1))
    elif isinstance(control, ipywidgets.FloatLogSlider):
        # A log slider's min and max are exponents of its base.
        values = control.base ** np.linspace(control.min, control.max, 41)
    else:
        values = np.linspace(control.min, control.max, 41)
    values = np.concatenate([values, values[-2:0:-1]])
    start = int(np.argmin(np.abs(values - control.value)))
    return [type(control.value)(v) for v in np.resize(np.roll(values, -start), steps + 1)[1:]]


def kernel_steps(chapter, steps):
    rows = []
    for index, explorer in enumerate(notebook_explorers(chapter)):
        for name, control in explorer.controls.items():
            if not hasattr(control, "min"):
                continue  # a play button or a toggle; its slider is measured
            samples = []
            for value in sweep(control, steps):
                started = time.perf_counter()
                control.value = value
                samples.append((time.perf_counter() - started) * 1000)
            rows.append({"chapter": chapter, "explorer": index, "control": name,
                         **summary(samples)})
    return rows


# The platform's own share of a step: a slider that only swaps between two ready PNGs of an
# explorer's size (no learner function, no drawing). What an explorer adds comes on top.
FLOOR = "floor"
FLOOR_CELL = """\
import io
import ipywidgets as widgets
from PIL import Image
frames = []
for shade in (230, 250):
    png = io.BytesIO()
    Image.new("RGB", (880, 272), (shade, shade, shade)).save(png, "PNG", compress_level=1)
    frames.append(png.getvalue())
control = widgets.IntSlider(0, min=0, max=100, description="floor", continuous_update=True)
image = widgets.Image(value=frames[0], format="png")
control.observe(lambda change: setattr(image, "value", frames[change.new % 2]), names="value")
widgets.VBox([widgets.HBox([control]), image, widgets.HTML("floor")])
"""


def browser_steps(chapter, steps, warmup=3):
    """The browser's steps of ``chapter``'s explorers (or of the :data:`FLOOR` widget)."""
    from playwright.sync_api import sync_playwright
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        name = lab_driver.solved(chapter)
        if chapter == FLOOR:
            notebook = nbformat.v4.new_notebook(
                cells=[nbformat.v4.new_code_cell(FLOOR_CELL)],
                metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                         "language": "python"}})
            nbformat.write(notebook, pathlib.Path(tmp) / name)
            count = 1
        else:
            shutil.copy(notebook_path(chapter), pathlib.Path(tmp) / name)
            count = lab_driver.shown_explorers(notebook_path(chapter))
        with lab_driver.jupyter_lab(tmp) as url:
            browser = lab_driver.launch_chromium(playwright)
            page = lab_driver.open_notebook(browser.new_context(), url, name)
            lab_driver.run_all_and_wait(page, count)
            boxes = lab_driver.explorers(page)
            for index in range(boxes.count()):
                box = boxes.nth(index)
                image = box.locator("> img.widget-image")
                sliders = box.locator(".widget-slider")
                for number in range(sliders.count()):
                    handle = sliders.nth(number).locator(".noUi-handle")
                    label = sliders.nth(number).evaluate(
                        "el => el.querySelector('.widget-label').textContent")
                    print(f"{chapter}: explorer {index}, {label}", file=sys.stderr)
                    opening = lab_driver.readout_of(handle).text_content()
                    page.evaluate(PROBE, [image.element_handle(), handle.element_handle()])
                    for done in range(warmup + steps):
                        lab_driver.step(page, handle)
                        page.wait_for_function("n => explorerProbe.painted.length > n",
                                               arg=done, timeout=10_000)
                    painted = page.evaluate("explorerProbe.painted")[warmup:]
                    # The next slider is measured from the explorer as it opened: a slider
                    # left where the sweep ended (a diverged learning rate) may freeze the figure.
                    back_to(page, handle, opening)
                    rows.append({"chapter": chapter, "explorer": index, "control": label,
                                 **summary(painted)})
            browser.close()
    return rows


def back_to(page, handle, text, presses=200):
    """Bring a slider back to the value its readout showed as ``text``: typed into the
    readout where it can be (a log slider's keyboard steps may never land on it again),
    else moved with the keyboard."""
    readout = lab_driver.readout_of(handle)
    if readout.get_attribute("contenteditable") == "true":
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    else:
        handle.focus()
        for key in ("ArrowLeft", "ArrowRight"):
            for _ in range(presses):
                if readout.text_content() == text:
                    break
                page.keyboard.press(key)
    if readout.text_content() != text:
        raise RuntimeError(f"the slider did not come back to {text}")
    page.wait_for_timeout(1000)  # the kernel's queued redraws


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", default=CHAPTERS, metavar="CHAPTER",
                        help="chapters to measure (default: all)")
    parser.add_argument("--steps", type=int, default=30,
                        help="steps per slider (default: %(default)s)")
    parser.add_argument("--no-browser", action="store_true", help="only the kernel measurement")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the platform's floor (a slider that only swaps two PNGs)")
    args = parser.parse_args(argv)

    results = {"kernel": [], "browser": []}
    reason = None if args.no_browser else lab_driver.missing_browser()
    for chapter in args.chapters:
        results["kernel"] += kernel_steps(chapter, args.steps * 4)
        if not args.no_browser and not reason:
            results["browser"] += browser_steps(chapter, args.steps)
    if not (args.no_browser or args.no_floor or reason):
        results["floor"] = browser_steps(FLOOR, args.steps)
    if args.json:
        print(json.dumps({**results, "browser_skipped": reason}, indent=2))
        return
    print(f"{'where':<9}{'chapter':<22}{'explorer':>8}  {'slider':<12}{'n':>5}"
          f"{'median ms':>11}{'p95 ms':>9}")
    for where, rows in results.items():
        for row in rows:
            print(f"{where:<9}{row['chapter']:<22}{row['explorer']:>8}  {row['control']:<12}"
                  f"{row['steps']:>5}{row['median_ms']:>11.1f}{row['p95_ms']:>9.1f}")
    if reason:
        print(f"browser skipped: {reason}")
    elif results["browser"]:
        worst = max(results["browser"], key=lambda row: row["median_ms"])
        verdict = "meets" if worst["median_ms"] <= TARGET_MS else "misses"
        print(f"slowest median browser step: {worst['median_ms']:.1f} ms ({worst['chapter']}, "
              f"explorer {worst['explorer']}, {worst['control']}): {verdict} the "
              f"{TARGET_MS:g} ms target")


if __name__ == "__main__":
    main()

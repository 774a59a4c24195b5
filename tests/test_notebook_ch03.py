"""Chapter 3's notebook, run top to bottom: the lecture's numbers, the explorers, the contract."""
import re

import pytest

from conftest import executed_source, notebook_path, read_notebook
from course_utils import checks, glossary
from grading import editions

CHAPTER = "03_gradient_descent"


@pytest.fixture(scope="module")
def executed():
    return executed_source(CHAPTER)


def printed(nb):
    return [line for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
            if out.output_type == "stream" for line in out.text.splitlines()]


@pytest.mark.parametrize("line", [
    "cost at w = 1.0: 4.666666666666667",
    "-9.333333333333334",
    # Batch gradient descent from w = 1.0, lr = 0.01: the lecture's printout.
    "after epoch 0: w = 1.0933333333333333   cost = 4.666666666666667",
    "after 100 epochs: w = 1.9999444396553017",
    "epoch 99: cost = 1.752432687141379e-08",
    "prediction at x = 4: 7.999777758621207",
    # The learning rate: 0.2 converges, 0.22 diverges, the critical rate between them.
    "lr = 0.2: w = 2.0 after 100 epochs, cost rose: False",
    "lr = 0.22: w = -178.5 after 100 epochs, cost rose: True",
    "critical learning rate: 0.21428571428571427",
    "1% below: cost rose: False",
    "1% above: cost rose: True",
    # Stochastic gradient descent, same start, rate and epochs.
    "after epoch 0: w = 1.260688",
    "last sample's loss: before its update 7.315943039999998   after it 4.919240100095999",
    "after 100 epochs: w = 1.9999999999999236",
    "prediction at x = 4: 7.9999999999996945",
    "batch_size = 3 is batch gradient descent: True",
    "batch_size = 1 is SGD: True",
    "updates per epoch: 3",
    "seed 0 shuffles: True",
    "the same seed repeats exactly: True",
    "another seed gives other batches: True",
    "dcost_dw = -9.333333333333334   dcost_db = -4.0",
    "dcost_dw = 0.0   dcost_db = 0.0",
])
def test_prints_the_lectures_numbers(executed, line):
    assert line in printed(executed)


def test_every_check_passes_visible_and_hidden(executed):
    passed = [line for line in printed(executed) if line.startswith("✓")]
    for exercise in checks.exercises(CHAPTER):
        assert any(re.match(rf"✓ {exercise.name}: \d+ checks? passed", line) for line in passed)
        assert any(re.match(rf"✓ {exercise.name}: \d+ hidden checks? passed", line)
                   for line in passed)


def test_the_figures_and_the_four_explorers_render(executed):
    kinds = [key for cell in executed.cells if cell.cell_type == "code"
             for out in cell.outputs for key in out.get("data", {})]
    assert kinds.count("image/png") == 3, "local optima, cost per epoch, smoothing"
    assert kinds.count("application/vnd.jupyter.widget-view+json") == 4
    state = executed.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    readouts = [model["state"]["value"] for model in state.values()
                if model["model_name"] == "HTMLModel"]
    assert len(readouts) == 4 and not any("⚠" in text for text in readouts), readouts
    assert any(model["model_name"] == "PlayModel" for model in state.values())


@pytest.mark.parametrize("language", editions.LANGUAGES)
def test_each_demo_prints_what_its_text_announces(executed, language):
    """A quoted output in a "The next cell ..." text is printed by the code cells after it, in
    either edition."""
    edition = editions.edition(executed, language)
    announced = 0
    for i, cell in enumerate(edition.cells):
        if cell.cell_type != "markdown" or not re.search(
                r"next cell|cells below|下一个单元格|下面的单元格", cell.source):
            continue
        following = []
        for after in edition.cells[i + 1:]:
            if after.cell_type == "markdown":
                break
            following += [out.text for out in after.outputs if out.output_type == "stream"]
        for quoted in re.findall(r"`([^`]+)`", cell.source):
            if re.search(r"\d|True|False", quoted) and "(" not in quoted:  # outputs, not code
                assert quoted in "".join(following), (quoted, cell.source[:80])
                announced += 1
    assert announced >= 20


def test_public_contract():
    """The exercise names, signatures and points the issue fixes."""
    points = {exercise.name: exercise.points for exercise in checks.exercises(CHAPTER)}
    assert points == {"cost_gradient": 2, "gradient_descent": 3, "critical_learning_rate": 2,
                      "sgd": 3, "minibatch_gd": 3, "affine_gradients": 2}
    sources = "\n".join(cell.source for cell in read_notebook(notebook_path(CHAPTER)).cells)
    for signature in ["def cost_gradient(x, y, w):", "def gradient_descent(x, y, w0, lr, epochs):",
                      "def sgd(x, y, w0, lr, epochs):",
                      "def minibatch_gd(x, y, w0, lr, epochs, batch_size, seed=None):",
                      "def affine_gradients(x, y, w, b):", "def critical_learning_rate(x):"]:
        assert signature in sources


def test_the_chapters_glossary_terms_are_taught():
    """Each chapter-3 term of the course glossary appears in the notebook, in Chinese."""
    text = "\n".join(cell.source for cell in read_notebook(notebook_path(CHAPTER)).cells
                     if cell.cell_type == "markdown")
    missing = [english for english, chinese, _ in glossary.terms(3) if chinese not in text]
    assert not missing

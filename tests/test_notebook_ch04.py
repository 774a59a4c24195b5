"""Chapter 4's notebook: the lecture's numbers, its loop on the learner's Tensor, to float64."""
import importlib.util

import nbformat
import pytest

from conftest import chapter_namespace, executed_source, notebook_path, read_notebook
from course_utils.checks import ch04

CHAPTER = "04_backprop"


@pytest.fixture(scope="module")
def executed():
    return executed_source(CHAPTER)


@pytest.fixture(scope="module")
def solutions():
    return chapter_namespace(CHAPTER)


def printed(nb):
    # A cell's stream outputs joined first: under load the kernel may send one printed line
    # in two pieces.
    return [line for cell in nb.cells if cell.cell_type == "code"
            for line in "".join(out.text for out in cell.outputs
                                if out.output_type == "stream").splitlines()]


@pytest.mark.parametrize("line", [
    "z = 6.0   ∂L/∂x = 15.0   ∂L/∂w = 10.0",                    # the worked example, by hand
    "backward: ∂loss/∂r = -2.0   ∂loss/∂ŷ = -2.0   ∂loss/∂w = -2.0",   # the linear graph
    "w.grad = 1.75",                                            # gradients add up
    "∂L/∂w = 10.0   ∂L/∂x = 15.0",                              # one node by hand, then walked
    "∂e/∂a = 2.0   ∂e/∂b = 5.0",                                # chapter 1's graph
    "∂p/∂w = 12.0",                                             # the power rule
    "∂loss/∂w = -2.0",
    "q = 3.0   ∂q/∂w = -1.5",                                   # division
    "predict (before training) 4 4.0",                          # the lecture's loop
    "\tgrad: 1.0 2.0 -2.0",
    "\tgrad: 2.0 4.0 -7.84",
    "\tgrad: 3.0 6.0 -16.2288",
    "progress: 0 7.315943039999998",
    "progress: 99 7.82747233205549e-26",
    "predict (after training) 4 7.9999999999996945",
    "after backward() number 3  w.grad = -6.0",                 # pitfall: accumulation
    "(2.0, 2.0, 2.0)",                                          # homework 4-3
    "(22.879999999999995, 11.439999999999998, 5.719999999999999)",
    "w1 = 0.24038193321608223  w2 = 0.9266761950847607  b = 0.9913544091711601",
    "predict (after training) 4 8.544170120967518",             # homework 4-4
    "x = 3.0: engine 77.0472 25.6824 8.5608   by hand 77.0472 25.6824 8.5608",
])
def test_prints_the_lectures_numbers(executed, line):
    assert line in printed(executed)


def test_the_loop_prints_what_is_read(executed):
    """Epoch 0 and epoch 99 of the lecture's loop, not its 400 lines (and as much again from
    PyTorch's, where it is installed)."""
    lines = printed(executed)
    runs = 2 if importlib.util.find_spec("torch") else 1
    assert sum(line.startswith("\tgrad:") for line in lines) == 6 * runs
    assert sum(line.startswith("progress:") for line in lines) == 2 * runs
    assert any(line.startswith("after 10 000 epochs") and line.endswith("8.0020") for line in lines)


def test_the_graph_and_the_explorers_render(executed):
    kinds = [key for cell in executed.cells if cell.cell_type == "code"
             for out in cell.outputs for key in out.get("data", {})]
    assert kinds.count("image/png") == 2  # the linear model's graph, homework 4-3's
    assert kinds.count("application/vnd.jupyter.widget-view+json") == 3


def lecture_loop(Tensor):
    """The lecture's loop, as the notebook runs it: the grads of epoch 0, the losses, the weight."""
    w = Tensor([1.0])
    w.requires_grad = True
    grads, losses = [], []
    for epoch in range(100):
        for x, y in zip([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]):
            l = (x * w - y) ** 2
            l.backward()
            grads.append(w.grad.item())
            w.data = w.data - 0.01 * w.grad.data
            w.grad.data.zero_()
        losses.append(l.item())
    return grads, losses, (4 * w).item()


def test_the_reference_tensor_reproduces_the_lecture_to_float64(solutions):
    grads, losses, prediction = lecture_loop(solutions["Tensor"])
    assert grads[:3] == [-2.0, -7.84, -16.2288]
    assert losses[0] == 7.315943039999998
    assert prediction == 7.9999999999996945
    # The lecture printed float32: the same numbers to about 7 digits.
    assert grads[:3] == pytest.approx([-2.0, -7.840000152587891, -16.228801727294922], rel=1e-6)
    assert losses[0] == pytest.approx(7.315943717956543, rel=1e-6)
    assert prediction == pytest.approx(7.999998569488525, rel=1e-6)


def test_homework_4_4_gives_the_float64_prediction(solutions):
    w1, w2, b = solutions["train_quadratic"]([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])
    assert w1 * 16 + w2 * 4 + b == 8.544170120967518
    assert w1 * 16 + w2 * 4 + b == pytest.approx(8.544172, rel=1e-6)  # the lecture's float32


def test_the_homework_answers(solutions):
    assert solutions["dloss_dw_4_1"] == -8.0
    assert tuple(solutions["grads_4_2"]) == (2.0, 2.0)
    assert solutions["quadratic_gradients"](1.0, 2.0, 1.0, 1.0, 1.0) == (2.0, 2.0, 2.0)


def test_public_contract():
    """The exercise names, points and signatures of the issue's table."""
    points = {exercise.name: exercise.points for exercise in ch04.EXERCISES}
    assert points == {"dloss_dw_4_1": 1, "grads_4_2": 2, "accumulate_grad": 1,
                      "mul_backward": 1, "pow_backward": 1, "backward_walk": 2, "div": 1,
                      "quadratic_gradients": 2, "train_quadratic": 3}
    sources = "\n".join(cell.source for cell in read_notebook(notebook_path(CHAPTER)).cells)
    for text in ["dloss_dw_4_1 = None", "grads_4_2 = None", "class Tensor:",
                 "def __init__(self, data, requires_grad=False):",
                 "def accumulate_grad(tensor, grad):", "def mul_backward(a, b, out):",
                 "def pow_backward(a, n, out):", "def backward_walk(output):", "def div(a, b):",
                 "def quadratic_gradients(x, y, w1, w2, b):",
                 "def train_quadratic(x, y, lr=0.01, epochs=100):"]:
        assert text in sources


def test_the_lecture_loop_is_the_lectures_code():
    """Only `torch.Tensor` became `Tensor`."""
    cell = next(cell.source for cell in read_notebook(notebook_path(CHAPTER)).cells
                if cell.get("id") == "loop")
    for line in ["w = Tensor([1.0])", "w.requires_grad = True", "return x * w",
                 "return (y_pred - y) ** 2", "l = loss(x, y)", "l.backward()",
                 "print('\\tgrad:', x, y, w.grad.item())",
                 "w.data = w.data - 0.01 * w.grad.data", "w.grad.data.zero_()",
                 'print("progress:", epoch, l.item())']:
        assert line in cell


def test_the_engine_is_only_in_the_notebook():
    """course_utils has no Tensor of its own: the notebook's given cell is the only one."""
    import course_utils

    assert not hasattr(course_utils.checks.ch04, "Tensor") or \
        type(course_utils.checks.ch04.Tensor).__name__ == "Exercise"
    nb = nbformat.read(notebook_path(CHAPTER), as_version=4)
    assert sum("class Tensor" in cell.source for cell in nb.cells) == 1

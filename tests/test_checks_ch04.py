"""The checks of chapter 4: they name typical bugs, never give away a value answer, and pass
correct code in other styles; the engine's steps are each checked on their own, and its
judge agrees with finite differences."""
import nbformat
import numpy as np
import pytest

from conftest import grade_id, graded_here, notebook_path, verdict_of
from course_utils.checks import CheckFailed, ch04, core
from grading import answers

KEY = answers.key("04_backprop")

SOURCES = {grade_id(cell): cell.source for cell in
           nbformat.read(notebook_path("04_backprop"), as_version=4).cells if grade_id(cell)}


def define(*sources):
    """A namespace with the setup cell and ``sources`` run in it, as a notebook would."""
    namespace = {}
    for source in (SOURCES["setup"], *sources):
        exec(source, namespace)
    return namespace


def check(name, subject, seed=None, hidden=False):
    getattr(ch04, name)(subject, seed=seed, hidden=hidden)


def failure(name, subject, seed=None):
    with pytest.raises(CheckFailed) as raised:
        check(name, subject, seed)
    return str(raised.value)


# ------------------------------------------------------------------ the answers by hand


@pytest.mark.parametrize("answer,words", [
    (8.0, "the sign is wrong"),
    (-4.0, "forgot the factor 2"),
    (4.0, "the loss itself"),
    (-2.0, "the residual"),
    (3.0, "Walk the graph backward"),
    ((-8.0,), "is a tuple of length 1; the answer is one number"),
    (True, "is a bool"),
    (lambda: -8.0, "is a function"),
    ("-8", "is a str"),
])
def test_dloss_dw_4_1_says_what_is_wrong_without_the_answer(answer, words):
    message = failure("dloss_dw_4_1", answer)
    assert words in message
    assert "-8" not in message.replace(str(answer), "")


@pytest.mark.parametrize("answer", [-8.0, -8, np.float64(-8.0), np.array([-8.0]), -7.9999999999])
def test_dloss_dw_4_1_passes_any_form_of_the_number(answer):
    check("dloss_dw_4_1", answer)
    check("dloss_dw_4_1", answer, hidden=True)


def test_a_tensor_answer_is_told_to_use_item():
    Tensor = define(SOURCES["setup_tensor"])["Tensor"]
    assert ".item()" in failure("dloss_dw_4_1", Tensor(-8.0))
    assert ".item()" in failure("grads_4_2", (Tensor(2.0), 2.0))


@pytest.mark.parametrize("answer,words", [
    ((-2.0, -2.0), "the sign is wrong"),
    ((1.0, 1.0), "forgot the factor 2"),
    ((2.0, 0.0), "dloss_dw is right, dloss_db is not"),
    ((2.0, 0.0), "∂ŷ/∂b = 1"),
    ((4.0, 2.0), "∂ŷ/∂w is x, not b"),
    ((6.0, 6.0), "you used ŷ"),
    ((2.0,), "a tuple of two numbers"),
    ((2.0, 2.0, 2.0), "a tuple of two numbers"),
    (2.0, "a tuple of two numbers"),
])
def test_grads_4_2_says_what_is_wrong_without_the_answer(answer, words):
    message = failure("grads_4_2", answer)
    assert words in message
    assert "(2.0, 2.0)" not in message and "[2., 2.]" not in message


@pytest.mark.parametrize("answer", [(2.0, 2.0), [2, 2], np.array([2.0, 2.0]),
                                    (np.float64(2.0), 2.0)])
def test_grads_4_2_passes_any_form_of_the_pair(answer):
    check("grads_4_2", answer)


# ------------------------------------------------------------------ quadratic_gradients


def quadratic(body):
    return define(f"def quadratic_gradients(x, y, w1, w2, b):\n{body}")["quadratic_gradients"]


R = "    r = w1 * x ** 2 + w2 * x + b - y\n"


@pytest.mark.parametrize("body,words", [
    (R + "    return 2 * r * x, 2 * r * x ** 2, 2 * r", "other way round"),
    (R + "    return r * x ** 2, r * x, r", "factor 2"),
    ("    r = y - (w1 * x ** 2 + w2 * x + b)\n    return 2 * r * x ** 2, 2 * r * x, 2 * r",
     "sign is wrong"),
    (R + "    return 2 * r * 2 * x, 2 * r * x, 2 * r", "2x is the derivative"),
    ("    return x ** 2, x, 1.0", "gradients of ŷ"),
    ("    r = w1 * x ** 2 + w2 * x - y\n    return 2 * r * x ** 2, 2 * r * x, 2 * r",
     "leaves out b"),
    (R + "    return 2 * r, 2 * r * x, 2 * r * x ** 2", "reversed"),
    (R + "    return 2 * r * x ** 2, 2 * r * x", "expected a tuple"),
    (R + "    2 * r * x ** 2, 2 * r * x, 2 * r", "`return` statement"),
])
def test_quadratic_gradients_bugs_are_named(body, words):
    assert words in failure("quadratic_gradients", quadratic(body))


@pytest.mark.parametrize("body", [
    "    y_hat = w1 * x * x + w2 * x + b\n    g = 2.0 * (y_hat - y)\n"
    "    return [g * x * x, g * x, g]",
    "    r = np.float64(w1 * x ** 2 + w2 * x + b - y)\n"
    "    return np.array([2 * r * x ** 2, 2 * r * x, 2 * r])",
    "    print('x =', x)\n    dl_dyhat = 2 * (w1 * x ** 2 + w2 * x + b - y)\n"
    "    return dl_dyhat * x ** 2, dl_dyhat * x, dl_dyhat * 1",
])
def test_quadratic_gradients_in_other_styles_pass(body):
    fn = quadratic(body)
    check("quadratic_gradients", fn)
    check("quadratic_gradients", fn, hidden=True)


def test_quadratic_gradients_hard_coded_fails_hidden():
    fn = quadratic("    return {1.0: (2.0, 2.0, 2.0), 2.0: (22.88, 11.44, 5.72),\n"
                   "            3.0: (-27.0, -9.0, -3.0)}[x]")
    with pytest.raises(CheckFailed):
        check("quadratic_gradients", fn, hidden=True)


# ------------------------------------------------------------------ the engine: typical bugs

STEP_SOURCES = [SOURCES["setup_tensor"], *(SOURCES[f"sol_{step.name}"] for step in ch04.ENGINE)]


def engine(*replacements, extra=""):
    """The notebook's namespace with the reference steps, ``(old, new)`` replacements in them
    (one typical bug each), then ``extra`` run: each step's function by name."""
    sources = list(STEP_SOURCES)
    for old, new in replacements:
        [index] = [i for i, source in enumerate(sources) if old in source]
        sources[index] = sources[index].replace(old, new)
    return define(*sources, extra)


WALK_LOOP = "    for tensor in reversed(order):\n        tensor._backward()\n"
VISIT = ("        for parent in tensor._parents:\n            visit(parent)\n"
         "        order.append(tensor)\n")
ZEROS = "        tensor.grad = Tensor(np.zeros_like(tensor.value))\n"
RESET = "    for tensor in order:               # results hold only this pass's gradient\n" \
        "        if tensor._parents:\n            tensor.grad = None\n"
ENDLESS_WALK = ("    visit(output)  ", "    while True:\n        pass\n    visit(output)  ")
SEED = "    output._accumulate(np.ones_like(output.value))"
POWER = "n * a.value ** (n - 1) * out.grad.value"

# name: (step, the reference's text, the bug's text, words its message must contain)
STEP_BUGS = {
    "overwritten": ("accumulate_grad", "    tensor.grad.value += grad\n",
                    "    tensor.grad = Tensor(grad)\n", "overwritten instead of accumulated"),
    "shares the array": ("accumulate_grad",
                         "        tensor.grad = Tensor(np.zeros_like(tensor.value))\n"
                         "    tensor.grad.value += grad\n",
                         "        tensor.grad = Tensor(0.0)\n        tensor.grad.value = grad\n"
                         "    else:\n        tensor.grad.value += grad\n",
                         "share their numbers"),
    "never made": ("accumulate_grad",
                   "    if tensor.grad is None:\n" + ZEROS,
                   "", "a Tensor of zeros first"),
    "grad kept as an array": ("accumulate_grad", ZEROS + "    tensor.grad.value += grad\n",
                              "        tensor.grad = np.zeros_like(tensor.value)\n"
                              "    tensor.grad = tensor.grad + grad\n", "expected a Tensor"),
    "mul swapped": ("mul_backward", "    a._accumulate(b.value * out.grad.value)\n"
                                    "    b._accumulate(a.value * out.grad.value)\n",
                    "    a._accumulate(a.value * out.grad.value)\n"
                    "    b._accumulate(b.value * out.grad.value)\n", "the OTHER input's value"),
    "mul without out.grad": ("mul_backward", "    a._accumulate(b.value * out.grad.value)\n"
                                             "    b._accumulate(a.value * out.grad.value)\n",
                             "    a._accumulate(b.value)\n    b._accumulate(a.value)\n",
                             "forgets out.grad"),
    "mul as add": ("mul_backward", "    a._accumulate(b.value * out.grad.value)\n"
                                   "    b._accumulate(a.value * out.grad.value)\n",
                   "    a._accumulate(out.grad.value)\n    b._accumulate(out.grad.value)\n",
                   "passes out.grad through unchanged"),
    "power n·x^n": ("pow_backward", POWER, "n * a.value ** n * out.grad.value", "off by one"),
    "power without n": ("pow_backward", POWER, "a.value ** (n - 1) * out.grad.value",
                        "lost its factor n"),
    "power without out.grad": ("pow_backward", POWER, "n * a.value ** (n - 1)",
                               "forgets out.grad"),
    "visited twice": ("backward_walk", "        if tensor in visited:\n            return\n", "",
                      "visited twice"),
    "forward walk": ("backward_walk", "for tensor in reversed(order):", "for tensor in order:",
                     "reverse of the order"),
    "preorder": ("backward_walk", VISIT,
                 "        order.append(tensor)\n        for parent in tensor._parents:\n"
                 "            visit(parent)\n", "each tensor after every tensor computed from it"),
    "results never reset": ("backward_walk", RESET, "", "the second walk passed"),
    "leaves reset too": ("backward_walk",
                         "        if tensor._parents:\n            tensor.grad = None\n",
                         "        tensor.grad = None\n", "accumulate across backward"),
    "no seed": ("backward_walk", SEED, "", "the grad 1 first"),
    "div reversed": ("div", "    return a * b ** -1\n", "    return b * a ** -1\n",
                     "computes b / a"),
    "div multiplies": ("div", "    return a * b ** -1\n", "    return a * b\n", "multiplies"),
    "div recursion": ("div", "    return a * b ** -1\n", "    return a / b\n", "RecursionError"),
    "div without history": ("div", "    return a * b ** -1\n",
                            "    return Tensor(Tensor._as_tensor(a).value\n"
                            "                  / Tensor._as_tensor(b).value)\n",
                            "from the primitives"),
}


@pytest.mark.parametrize("bug", STEP_BUGS)
def test_typical_engine_bug_is_named(bug):
    step, old, new, words = STEP_BUGS[bug]
    message = failure(step, engine((old, new))[step])
    assert words in message
    assert "Traceback" not in message


def test_a_rule_wrong_for_one_input_only_gets_a_message():
    """Grads read wrong for one input and right for another: a plain message, not a crash
    of the check (its ratios to the right ones are several numbers)."""
    rule = "    a._accumulate(b.value * out.grad.value)\n"
    message = failure("mul_backward", engine((rule, rule.replace("b.value", "a.value")))[
        "mul_backward"])
    assert "x.grad is 10.0, expected 15.0." in message
    assert "could not read" not in message


def test_each_step_is_checked_as_soon_as_it_is_written():
    """A rule is checked before the walk exists, and the walk before div."""
    later = {"backward_walk": (VISIT, "        raise NotImplementedError()\n"),
             "div": ("    return a * b ** -1\n", "    raise NotImplementedError()\n")}
    namespace = engine(*later.values())
    for step in ("accumulate_grad", "mul_backward", "pow_backward"):
        check(step, namespace[step])
    check("backward_walk", engine(later["div"])["backward_walk"])


def test_a_step_that_is_missing_is_named_by_the_later_one():
    namespace = engine(("    if tensor.grad is None:\n", "    raise NotImplementedError()\n"
                        "    if tensor.grad is None:\n"))
    assert failure("accumulate_grad", namespace["accumulate_grad"]).startswith(
        "accumulate_grad is not implemented yet")
    message = failure("mul_backward", namespace["mul_backward"])
    assert "reached accumulate_grad, which is not implemented yet" in message
    assert "your accumulate_grad, which does not pass its own check yet" in message


def test_the_walks_stub_says_where_it_is_missing():
    message = failure("backward_walk", engine((VISIT, "        raise NotImplementedError()\n"))[
        "backward_walk"])
    assert message.startswith("backward_walk is not implemented yet")
    assert "backward_walk(L)" in message


def test_an_endless_walk_costs_one_time_limit(monkeypatch):
    monkeypatch.setattr(core, "CALL_SECONDS", 0.5)
    looping = engine(ENDLESS_WALK)
    observations = ch04.backward_walk.observe(looping["backward_walk"])
    assert observations[0]["error"]["type"] == "CallTimeout"
    assert "never returned" in verdict_of(ch04.backward_walk, looping["backward_walk"]).message


# ------------------------------------------------------------------ the engine: other styles

OTHER_STYLES = {
    "accumulate_grad": """
def accumulate_grad(tensor, grad):
    old = 0.0 if tensor.grad is None else tensor.grad.value
    tensor.grad = Tensor(old + grad)
""",
    "mul_backward": """
def mul_backward(a, b, out):
    g = out.grad.value
    for mine, other in ((a, b), (b, a)):
        mine._accumulate(g * other.value)
""",
    "pow_backward": """
def pow_backward(a, n, out):
    local = n * np.power(a.value, n - 1)
    a._accumulate(out.grad.data.value * local)
""",
    # Kahn's algorithm without recursion, and PyTorch's refusal of a second pass
    "backward_walk": """
def backward_walk(output):
    if getattr(output, "freed", False):
        raise RuntimeError("Trying to backward through the graph a second time")
    nodes, stack = {output}, [output]
    while stack:
        for parent in stack.pop()._parents:
            if parent not in nodes:
                nodes.add(parent)
                stack.append(parent)
    users = {node: 0 for node in nodes}
    for node in nodes:
        for parent in node._parents:
            users[parent] += 1
        if node._parents:
            node.grad = None
    output._accumulate(np.ones_like(output.value))
    ready = [output]
    while ready:
        node = ready.pop()
        print("visiting", node)
        node._backward()
        for parent in node._parents:
            users[parent] -= 1
            if users[parent] == 0:
                ready.append(parent)
    output.freed = True
""",
    "div": """
def div(a, b):
    return (b ** -1) * a
""",
}


@pytest.mark.parametrize("step", OTHER_STYLES)
def test_correct_steps_in_other_styles_pass(step):
    namespace = engine(extra=OTHER_STYLES[step])
    check(step, namespace[step])
    check(step, namespace[step], hidden=True)


def test_a_walk_that_adds_again_on_a_second_pass_passes_as_one_that_refuses():
    """PyTorch raises on a second backward through a freed graph, or with retain_graph=True
    adds again: the twice probe accepts both, the reference (adds again) included."""
    [twice] = [case for case in ch04.backward_walk.cases(None) if case["probe"] == "twice"]
    reference = engine()["backward_walk"]
    refusing = engine(extra=OTHER_STYLES["backward_walk"])["backward_walk"]
    assert "raised_again" not in ch04.backward_walk.run(reference, twice)
    assert ch04.backward_walk.run(refusing, twice)["raised_again"]


def test_an_item_of_a_float_subclass_is_a_number():
    assert ch04._plain_number(core.to_plain(np.float64(-8.0))) == -8.0
    assert ch04._plain_number(True) is None
    check("dloss_dw_4_1", np.float64(-8.0))


# ------------------------------------------------------------------ the engine: the judge's numbers


def test_hidden_expressions_are_random_and_their_gradients_match_finite_differences():
    expressions = [case for step in (ch04.backward_walk, ch04.div) for seed in step.hidden_seeds
                   for case in step.cases(seed) if case["probe"] == "expression"]
    assert len(expressions) >= 6
    assert len({repr(case["script"]) for case in expressions}) == len(expressions)
    assert not any(statement[2] == "/" for case in ch04.backward_walk.cases(40_341)
                   for statement in case["script"] if statement[0] == "op")
    for case in expressions:
        answer = KEY.div(case)
        for label, want in answer["records"]:
            if label.endswith(".grad") and want is not None:
                assert answer["finite_differences"][label[:-len(".grad")]] == pytest.approx(
                    want, rel=1e-5, abs=1e-6)


# ------------------------------------------------------------------ train_quadratic

TRAIN = SOURCES["sol_train_quadratic"]


def trainer(source, *bugs):
    return engine(*bugs, extra=SOURCES["sol_quadratic_gradients"] + "\n" + source)[
        "train_quadratic"]


TRAIN_BUGS = {
    "never zeroed": ([("                weight.grad.data.zero_()\n", "")], "never zeroed"),
    "starts at 0": ([("Tensor([1.0]), Tensor([1.0]), Tensor([1.0])",
                      "Tensor([0.0]), Tensor([0.0]), Tensor([0.0])")],
                    "start at 0"),
    "ignores lr and epochs": ([("range(epochs)", "range(100)"), ("- lr *", "- 0.01 *")],
                              "are ignored"),
    "reversed order": ([("zip(x, y)", "zip(list(x)[::-1], list(y)[::-1])")], "reverse order"),
    "one epoch short": ([("range(epochs)", "range(epochs - 1)")], "one epoch is missing"),
    "returns tensors": ([("return w1.item(), w2.item(), b.item()", "return w1, w2, b")], ".item()"),
    "returns arrays": ([("return w1.item(), w2.item(), b.item()",
                         "return w1.value, w2.value, b.value")],
                       "return plain numbers"),
}


@pytest.mark.parametrize("bug", TRAIN_BUGS)
def test_train_quadratic_bugs_are_named(bug):
    replacements, words = TRAIN_BUGS[bug]
    source = TRAIN
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new)
    assert words in failure("train_quadratic", trainer(source))


BATCH = '''
def train_quadratic(x, y, lr=0.01, epochs=100):
    w1, w2, b = (Tensor([1.0], requires_grad=True) for _ in range(3))
    for epoch in range(epochs):
        cost = 0
        for x_val, y_val in zip(x, y):
            cost = cost + (w1 * x_val ** 2 + w2 * x_val + b - y_val) ** 2
        cost = cost / len(x)
        cost.backward()
        for weight in (w1, w2, b):
            weight.data = weight.data - lr * weight.grad.data
            weight.grad.data.zero_()
    return w1.item(), w2.item(), b.item()
'''

BY_FORMULA = '''
def train_quadratic(x, y, lr=0.01, epochs=100):
    w1 = w2 = b = 1.0
    for epoch in range(epochs):
        for x_val, y_val in zip(x, y):
            g1, g2, gb = quadratic_gradients(x_val, y_val, w1, w2, b)
            w1, w2, b = w1 - lr * g1, w2 - lr * g2, b - lr * gb
    return w1, w2, b
'''


def test_batch_gradient_descent_is_named():
    assert "batch gradient descent" in failure("train_quadratic", trainer(BATCH))


def test_training_without_backward_gets_advice(capsys):
    """Counted in the learner's process, where it could be faked: advice, not a lost point."""
    check("train_quadratic", trainer(BY_FORMULA))
    assert "seems never to call backward()" in capsys.readouterr().out


LECTURE_STYLE = '''
def train_quadratic(x, y, lr=0.01, epochs=100):
    w1 = Tensor(np.array([1.0], dtype=np.float32))
    w2 = Tensor([1.0])
    b = Tensor([1.0])
    w1.requires_grad = w2.requires_grad = b.requires_grad = True

    def forward(x):
        return w1 * x * x + w2 * x + b

    def loss(x, y):
        y_pred = forward(x)
        return (y_pred - y) ** 2

    for epoch in range(epochs):
        for x_val, y_val in zip(x, y):
            l = loss(x_val, y_val)
            l.backward()
            print('\\tgrad:', x_val, y_val, w1.grad.item(), w2.grad.item(), b.grad.item())
            w1.data = w1.data - lr * w1.grad.data
            w2.data -= lr * w2.grad.data
            b.data = b.data - lr * b.grad.data
            w1.grad.data.zero_()
            w2.grad.data.zero_()
            b.grad.data.zero_()
        print("progress:", epoch, l.item())
    return [w1.item(), w2.item(), b.item()]
'''


def test_the_lectures_style_passes():
    fn = trainer(LECTURE_STYLE)
    check("train_quadratic", fn)
    check("train_quadratic", fn, hidden=True)


def test_a_broken_step_costs_only_its_own_exercise():
    bug = STEP_BUGS["power n·x^n"][1:3]
    fn = trainer(TRAIN, bug)
    graded = graded_here(ch04.CHAPTER, fn.__globals__)
    assert graded["train_quadratic"][0] and not graded["pow_backward"][0]
    assert graded["backward_walk"][0] and graded["div"][0]
    assert fn.__globals__["pow_backward"].__name__ == "pow_backward", "the learner's is back"
    wrong = trainer(TRAIN.replace("                weight.grad.data.zero_()\n", ""), bug)
    passed, message = graded_here(ch04.CHAPTER, wrong.__globals__)["train_quadratic"]
    assert not passed
    assert "never zeroed" in message and "pow_backward in place of yours" in message


def test_counting_backward_leaves_the_class_as_it_was():
    fn = trainer(TRAIN)
    Tensor = fn.__globals__["Tensor"]
    ours = Tensor.__dict__["backward"]
    observed = ch04.train_quadratic.observe(fn)
    assert observed[0]["backward_calls"] == 300
    assert Tensor.__dict__["backward"] is ours


def test_a_hard_coded_training_fails_hidden_data():
    fn = define("def train_quadratic(x, y, lr=0.01, epochs=100):\n"
                "    return 0.24038193321608223, 0.9266761950847607, 0.9913544091711601\n"
                )["train_quadratic"]
    with pytest.raises(CheckFailed):
        check("train_quadratic", fn, hidden=True)


def test_an_endless_walk_costs_train_quadratic_no_time(monkeypatch):
    monkeypatch.setattr(core, "CALL_SECONDS", 2.0)  # training takes about 0.3 s
    fn = trainer(TRAIN, ENDLESS_WALK)
    graded = graded_here(ch04.CHAPTER, fn.__globals__)
    assert graded["train_quadratic"][0] and not graded["backward_walk"][0]

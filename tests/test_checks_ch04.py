"""The checks of chapter 4: they name typical bugs, never give away a value answer, and pass
correct code in other styles; the engine's check agrees with finite differences and PyTorch."""
import importlib.util

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


def engine(*replacements):
    """The reference Tensor with ``(old, new)`` replacements: one typical bug each."""
    source = SOURCES["sol_Tensor"]
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new)
    return define(source)["Tensor"]


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
    Tensor = define(SOURCES["sol_Tensor"])["Tensor"]
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


# ------------------------------------------------------------------ Tensor: typical bugs

ACCUMULATE = ("        if self.grad is None:\n"
              "            self.grad = Tensor(np.zeros_like(self.value))\n"
              "        self.grad.value += grad\n")
MUL_RULE = ("            self._accumulate(other.value * out.grad.value)\n"
            "            other._accumulate(self.value * out.grad.value)\n")
ADD_RULE = ("            self._accumulate(out.grad.value)\n"
            "            other._accumulate(out.grad.value)\n")
WALK = "        for tensor in reversed(order):\n            tensor._backward()\n"
PREORDER = ("        walked = set()\n\n"
            "        def walk(tensor):\n"
            "            if tensor not in walked:\n"
            "                walked.add(tensor)\n"
            "                tensor._backward()\n"
            "                for parent in tensor._parents:\n"
            "                    walk(parent)\n\n"
            "        walk(self)\n")
RESET = ("        for tensor in order:\n            if tensor._parents:\n"
         "                tensor.grad = None\n")
POWER = "exponent * self.value ** (exponent - 1) * out.grad.value"
SEED = "self._accumulate(np.ones_like(self.value))"
GUARD = "        if not self.requires_grad:\n            return  # only tensors"
VALUE = "np.array(data.value if isinstance(data, Tensor) else data, dtype=float)"
MUL_FORWARD = 'out = self._result(self.value * other.value, (self, other), "mul")'

# name: (the reference's text, the bug's text, words its message must contain)
TENSOR_BUGS = {
    "overwritten": (ACCUMULATE, "        self.grad = Tensor(grad)\n",
                    "overwritten instead of accumulated"),
    "overwritten array": ("self.grad.value += grad", "self.grad.value = grad", "overwritten"),
    "shared grad object": (ADD_RULE,
                           "            self.grad = out.grad\n            other.grad = out.grad\n",
                           "share one grad object"),
    "visited twice": ("            if tensor not in visited:\n", "            if True:\n",
                      "visited twice"),
    "forward walk": ("for tensor in reversed(order):", "for tensor in order:",
                     "reverse topological order"),
    "preorder walk": (WALK, PREORDER, "the walk goes in the wrong order"),
    "no seed": (f"        {SEED}\n", "", "the grad 1 first"),
    "zero seed": (SEED, SEED.replace("ones", "zeros"), "the gradients stayed 0"),
    "intermediates never zeroed": (RESET, "", "never zeroed"),
    "power n·x^n": (POWER, "exponent * self.value ** exponent * out.grad.value", "off by one"),
    "power without n": (POWER, "self.value ** (exponent - 1) * out.grad.value",
                        "lost its factor n"),
    "mul swapped": (MUL_RULE, "            self._accumulate(self.value * out.grad.value)\n"
                              "            other._accumulate(other.value * out.grad.value)\n",
                    "the OTHER input's value"),
    "mul without out.grad": (MUL_RULE, "            self._accumulate(other.value)\n"
                                       "            other._accumulate(self.value)\n",
                             "forgets the incoming grad"),
    "rsub as sub": ("        return -self + other\n", "        return self - other\n",
                    "`__rsub__(self, other)`"),
    "rsub recursion": ("        return -self + other\n", "        return other - self\n",
                       "RecursionError"),
    "sub reversed": ("        return self + (-Tensor._as_tensor(other))\n",
                     "        return -self + other\n", "`__sub__(self, other)` is self − other"),
    "rtruediv as truediv": ("        return self ** -1 * other\n", "        return self / other\n",
                            "`__rtruediv__(self, other)`"),
    "grad for every tensor": (GUARD, GUARD.replace("not self.requires_grad", "False"),
                              "expected None"),
    "data is a copy": ("view.value = self.value", "view.value = self.value.copy()",
                       "share its numbers"),
    "item gives an array": ("return self.value.item()", "return self.value", "expected float"),
    "float32": (VALUE, VALUE.replace("dtype=float", "dtype=np.float32"), "float32"),
    "an operation returns an array": (MUL_FORWARD, MUL_FORWARD + "\n        return out.value",
                                      "expected a Tensor"),
    "grad kept as an array": (
        ACCUMULATE, "        self.grad = (0.0 if self.grad is None else self.grad) + grad\n",
        "a grad that is not a Tensor"),
}


@pytest.mark.parametrize("bug", TENSOR_BUGS)
def test_typical_engine_bug_is_named(bug):
    old, new, words = TENSOR_BUGS[bug]
    message = failure("Tensor", engine((old, new)))
    assert words in message
    assert "Traceback" not in message


def test_the_stub_engine_says_where_it_is_missing():
    stub = engine((ACCUMULATE, "        raise NotImplementedError()\n"))
    message = failure("Tensor", stub)
    assert message.startswith("Tensor is not implemented yet") and "L.backward()" in message


def test_a_function_is_not_a_class():
    def Tensor(data, requires_grad=False):
        return np.asarray(data)
    assert "not a class" in failure("Tensor", Tensor)


def test_an_endless_backward_costs_one_time_limit(monkeypatch):
    monkeypatch.setattr(core, "CALL_SECONDS", 0.5)
    looping = engine(("        visit(self)\n", "        while True:\n            pass\n"))
    observations = ch04.Tensor.observe(looping)
    assert observations[0]["error"]["type"] == "CallTimeout"
    assert "never returned" in verdict_of(ch04.Tensor, looping).message


# ------------------------------------------------------------------ Tensor: correct engines

KAHN_ENGINE = '''
class Tensor:
    """Another correct engine: subtraction and division are primitives with their own rules,
    the order comes from Kahn's algorithm, and grads are replaced by new tensors."""
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False):
        self.value = np.array(getattr(data, "value", data), dtype=np.float64)
        self.requires_grad = requires_grad
        self.grad, self._parents, self._rules = None, (), ()

    @property
    def data(self):
        view = Tensor.__new__(Tensor)
        view.value, view.requires_grad, view.grad, view._parents, view._rules = \\
            self.value, False, None, (), ()
        return view

    @data.setter
    def data(self, other):
        self.value = other.value

    def item(self):
        return float(self.value.reshape(-1)[0])

    def zero_(self):
        self.value *= 0.0
        return self

    def _make(self, value, pairs):
        out = Tensor(value, requires_grad=any(t.requires_grad for t, _ in pairs))
        if out.requires_grad:
            out._parents = tuple(t for t, _ in pairs)
            out._rules = tuple(rule for _, rule in pairs)
        return out

    @staticmethod
    def _t(x):
        return x if isinstance(x, Tensor) else Tensor(x)

    def __add__(self, o):
        o = Tensor._t(o)
        return self._make(self.value + o.value, [(self, lambda g: g), (o, lambda g: g)])

    def __sub__(self, o):
        o = Tensor._t(o)
        return self._make(self.value - o.value, [(self, lambda g: g), (o, lambda g: -g)])

    def __rsub__(self, o):
        return Tensor._t(o) - self

    def __mul__(self, o):
        o = Tensor._t(o)
        return self._make(self.value * o.value, [(self, lambda g: g * o.value),
                                                 (o, lambda g: g * self.value)])

    def __truediv__(self, o):
        o = Tensor._t(o)
        return self._make(self.value / o.value, [(self, lambda g: g / o.value),
                                                 (o, lambda g: -g * self.value / o.value ** 2)])

    def __rtruediv__(self, o):
        return Tensor._t(o) / self

    def __pow__(self, n):
        return self._make(self.value ** n, [(self, lambda g: g * n * self.value ** (n - 1))])

    def __neg__(self):
        return self._make(-self.value, [(self, lambda g: -g)])

    __radd__, __rmul__ = __add__, __mul__

    def backward(self):
        nodes, stack = {id(self): self}, [self]
        while stack:
            for parent in stack.pop()._parents:
                if id(parent) not in nodes:
                    nodes[id(parent)] = parent
                    stack.append(parent)
        users = {key: 0 for key in nodes}
        for node in nodes.values():
            for parent in node._parents:
                users[id(parent)] += 1
        grads = {id(self): np.ones_like(self.value)}
        ready = [self]
        while ready:
            node = ready.pop()
            g = grads.pop(id(node))
            if node._parents:
                node.grad = Tensor(g)
            else:
                node.grad = Tensor(g if node.grad is None else node.grad.value + g)
            print("visiting", node.value)
            for parent, rule in zip(node._parents, node._rules):
                grads[id(parent)] = grads.get(id(parent), 0.0) + rule(g)
                users[id(parent)] -= 1
                if users[id(parent)] == 0 and parent.requires_grad:
                    ready.append(parent)
'''


def test_a_different_correct_engine_passes():
    Tensor = define(KAHN_ENGINE)["Tensor"]
    check("Tensor", Tensor)
    check("Tensor", Tensor, hidden=True)


def test_the_reference_with_prints_passes():
    printing = engine(("        visit(self)\n",
                       "        print('walking from', self)\n        visit(self)\n"))
    check("Tensor", printing)
    check("Tensor", printing, hidden=True)


# ------------------------------------------------------------------ Tensor: the judge's own numbers


def hidden_scripts():
    return [case for seed in ch04.Tensor.hidden_seeds for case in ch04.Tensor.cases(seed)]


def test_hidden_expressions_are_random_and_their_gradients_match_finite_differences():
    expressions = [case for case in hidden_scripts() if case["probe"] == "expression"]
    assert len(expressions) >= 6
    assert len({repr(case["script"]) for case in expressions}) == len(expressions)
    for case in expressions:
        answer = KEY.Tensor(case)
        for label, want in answer["records"]:
            if label.endswith(".grad") and want is not None:
                assert answer["finite_differences"][label[:-len(".grad")]] == pytest.approx(
                    want, rel=1e-5, abs=1e-6)


def test_the_stand_in_passes_no_check():
    for exercise in ch04.EXERCISES:
        assert not verdict_of(exercise, KEY._StandInTensor).passed


def torch_or_skip():
    if importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed (the course does not need it)")
    import torch
    return torch


def test_pytorch_agrees_with_the_judge_on_every_script(monkeypatch):
    """Run every script on PyTorch itself (float64) and judge what it reads."""
    torch = torch_or_skip()
    backward = torch.Tensor.backward
    # The scripts call backward() twice on one graph, which PyTorch allows with retain_graph.
    monkeypatch.setattr(torch.Tensor, "backward",
                        lambda self, *args, **kwargs: backward(self, retain_graph=True))

    def make(data, requires_grad=False):
        return torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)

    for seed in (None, *ch04.Tensor.hidden_seeds):
        for case in ch04.Tensor.cases(seed):
            observed = ch04._run_script(make, torch.Tensor, case["script"])
            ch04._tensor_judge(case, observed, KEY.Tensor(case))


def test_the_reference_engine_reads_what_pytorch_reads(monkeypatch):
    torch = torch_or_skip()
    backward = torch.Tensor.backward
    monkeypatch.setattr(torch.Tensor, "backward",
                        lambda self, *args, **kwargs: backward(self, retain_graph=True))
    Tensor = define(SOURCES["sol_Tensor"])["Tensor"]
    for case in hidden_scripts():
        ours = ch04._run_script(Tensor, Tensor, case["script"])["records"]
        theirs = ch04._run_script(
            lambda data, requires_grad=False: torch.tensor(data, dtype=torch.float64,
                                                           requires_grad=requires_grad),
            torch.Tensor, case["script"])["records"]
        for mine, torch_record in zip(ours, theirs, strict=True):
            if isinstance(mine["value"], float):
                assert mine["value"] == pytest.approx(torch_record["value"], rel=1e-12, abs=1e-12)
            else:
                assert mine["value"] == torch_record["value"]


# ------------------------------------------------------------------ train_quadratic

TRAIN = SOURCES["sol_train_quadratic"]


def trainer(source, tensor=SOURCES["sol_Tensor"], extra=""):
    return define(tensor, SOURCES["sol_quadratic_gradients"], extra + source)["train_quadratic"]


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


def test_a_broken_tensor_costs_only_its_own_exercise():
    broken = SOURCES["sol_Tensor"].replace(POWER, TENSOR_BUGS["power n·x^n"][1])
    fn = trainer(TRAIN, tensor=broken)
    graded = graded_here(ch04.CHAPTER, fn.__globals__)
    assert graded["train_quadratic"][0] and not graded["Tensor"][0]
    assert fn.__globals__["Tensor"].__name__ == "Tensor", "the learner's Tensor is back"
    wrong = trainer(TRAIN.replace("                weight.grad.data.zero_()\n", ""), tensor=broken)
    passed, message = graded_here(ch04.CHAPTER, wrong.__globals__)["train_quadratic"]
    assert not passed
    assert "never zeroed" in message and "a correct Tensor in place of yours" in message


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


def test_checks_are_fast():
    """The whole chapter's visible and hidden checks in about a second, not tens."""
    import time
    namespace = define(*(SOURCES[f"sol_{exercise.name}"] for exercise in ch04.EXERCISES))
    started = time.perf_counter()
    for exercise in ch04.EXERCISES:
        exercise(namespace[exercise.name])
        exercise(namespace[exercise.name], hidden=True)
    assert time.perf_counter() - started < 10


def test_an_endless_engine_costs_train_quadratic_no_time(monkeypatch):
    monkeypatch.setattr(core, "CALL_SECONDS", 0.5)
    looping = SOURCES["sol_Tensor"].replace("        visit(self)\n",
                                            "        while True:\n            pass\n")
    fn = trainer(TRAIN, tensor=looping)
    graded = graded_here(ch04.CHAPTER, fn.__globals__)
    assert graded["train_quadratic"][0] and not graded["Tensor"][0]

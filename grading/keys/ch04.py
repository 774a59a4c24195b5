"""Answer key of chapter 4 (back-propagation): see grading/answers.py. The grader's only.

The engine's scripts are judged against a simulation: values by float
arithmetic, gradients by forward-mode derivatives (each value carries its
derivative with respect to every leaf that requires grad), and, for the
messages, finite differences.
"""
import numpy as np



# ------------------------------------------------------------------ answers by hand


def dloss_dw_4_1(case):
    x, y, w = case["x"], case["y"], case["w"]
    r = x * w - y
    return {"expected": 2 * x * r, "bugs": {
        "the sign is wrong.": -2 * x * r,
        "you forgot the factor 2 of ∂(r²)/∂r = 2r, or the factor x of ∂ŷ/∂w = x "
        "(here both are 2).": 2 * r,
        "that is the loss itself, not its gradient.": r ** 2,
        "that is the residual r = ŷ − y, the end of the forward pass: go on backward "
        "through loss = r².": r,
        "a factor 2 or x came in twice.": 4 * x * r}}


def grads_4_2(case):
    x, w, b, y = case["x"], case["w"], case["b"], case["y"]
    r, y_hat = x * w + b - y, x * w + b
    return {"expected": np.array([2 * r * x, 2 * r]), "bugs": {
        "the sign is wrong.": np.array([-2 * r * x, -2 * r]),
        "you forgot the factor 2 of ∂(r²)/∂r = 2r.": np.array([r * x, r]),
        "b gets a gradient too: ∂ŷ/∂b = 1, not 0.": np.array([2 * r * x, 0.0]),
        "∂ŷ/∂w is x, not b.": np.array([2 * r * b, 2 * r]),
        "you used ŷ where the graph has r = ŷ − y.": np.array([2 * y_hat * x, 2 * y_hat])}}


# ------------------------------------------------------------------ Tensor


def _simulate(script, nudge=None, nodes=False):
    """What a correct engine reads in ``script`` (judging half): [(label, expected)].

    Values by float arithmetic; each value also carries its derivatives with
    respect to the leaves that require grad (forward mode), which ``backward``
    adds into those leaves' grads. ``nudge=(leaf, h)`` shifts a leaf's data,
    for finite differences. ``nodes=True`` returns the tensors instead.
    """
    tensors, records = {}, []

    def operand(x):
        if type(x) is not str:
            return float(x), {}
        node = tensors[x]
        return (node["box"][0] if "box" in node else node["value"]), node["d"]

    for statement in script:
        kind, *rest = statement
        if kind == "new":
            name, data, how = rest
            value = float(np.ravel(data)[0]) + (nudge[1] if nudge and nudge[0] == name else 0.0)
            grad_leaf = how != "plain"
            tensors[name] = {"box": [value], "d": {name: 1.0} if grad_leaf else {},
                           "requires_grad": grad_leaf, "grad": None}
        elif kind == "op":
            name, op, a, b = rest
            value, d = _derivative(op, operand(a), operand(b) if b is not None else None)
            tensors[name] = {"value": value, "d": d, "requires_grad": bool(d), "grad": None}
        elif kind == "backward":
            for leaf, derivative in tensors[rest[0]]["d"].items():
                tensors[leaf]["grad"] = (tensors[leaf]["grad"] or 0.0) + derivative
        elif kind == "step":
            node = tensors[rest[0]]
            node["box"] = [node["box"][0] - rest[1] * node["grad"]]
        elif kind == "zero_grad":
            tensors[rest[0]]["grad"] = 0.0
        elif kind == "view":
            tensors[rest[0]] = {"box": tensors[rest[1]]["box"], "d": {}, "requires_grad": False,
                              "grad": None}
        elif kind == "zero":
            tensors[rest[0]]["box"][0] = 0.0
        elif kind == "assign":
            tensors[rest[0]]["box"] = [float(np.ravel(rest[1])[0])]
        elif kind == "record":
            label, name, what = rest
            node = tensors[name]
            expected = {"value": lambda: operand(name)[0], "item_type": lambda: "float",
                        "requires_grad": lambda: node["requires_grad"],
                        "grad": lambda: node["grad"]}[what]()
            records.append((label, expected))
        elif kind == "same_grad":
            records.append((rest[0], False))
    return tensors if nodes else records


def _derivative(op, a, b):
    """``a op b`` and its derivatives, each operand a pair (value, {leaf: derivative})."""
    (va, da), (vb, db) = a, (b if b is not None else (0.0, {}))

    def combine(ca, cb):
        return {leaf: ca * da.get(leaf, 0.0) + cb * db.get(leaf, 0.0)
                for leaf in da.keys() | db.keys()}

    if op == "+":
        return va + vb, combine(1.0, 1.0)
    if op == "-":
        return va - vb, combine(1.0, -1.0)
    if op == "*":
        return va * vb, combine(vb, va)
    if op == "/":
        return va / vb, combine(1.0 / vb, -va / vb ** 2)
    if op == "**":
        return va ** vb, combine(vb * va ** (vb - 1), 0.0)
    return -va, combine(-1.0, 0.0)


def _finite_differences(script, leaf, h=1e-6):
    """∂(last recorded value)/∂leaf by central differences: a check independent of the engine."""
    def last_value(shift):
        values = [value for label, value in _simulate(script, (leaf, shift))
                  if label.endswith(".item()")]
        return values[-1]
    return (last_value(h) - last_value(-h)) / (2 * h)


def Tensor(case):
    records = _simulate(case["script"])
    numbers = np.array([value for _, value in records if type(value) is float])
    bugs = _PROBE_BUGS.get(case["probe"], lambda p: {})(case.get("params", {}))
    finite = {}
    if case["probe"] == "expression":
        finite = {label[:-len(".grad")]: _finite_differences(case["script"], label[:-len(".grad")])
                  for label, _ in records if label.endswith(".grad")}
    return {"records": [[label, value] for label, value in records], "numbers": numbers,
            "bugs": {bug: np.array(values, dtype=float) for bug, values in bugs.items()},
            "finite_differences": finite}


OVERWRITTEN = ("a gradient is overwritten instead of accumulated: a tensor used twice gets "
               "a grad from each use, and they add up. Add into .grad (`+=`), never assign it.")


VISITED_TWICE = ("a tensor is visited twice in the walk and passes its grad on each time "
                 "(here a, which l uses twice): keep a set of the tensors already ordered, "
                 "so that each comes once.")


NOT_ZEROED = ("the grads of intermediate results are never zeroed: a second backward() "
              "passes on the first one's grads again. Results of operations hold only the "
              "current pass's gradient: set their grad to None at the start of backward() "
              "(leaves keep theirs: they accumulate).")


# Each probe is a small graph where typical bugs give numbers of their own: per bug, the
# numbers of the script's records (values and grads, in order) that the bug produces.


def _chain_bugs(p):
    x, w, g = p["x"], p["w"], p["g"]
    z, L = x * w, x * w * g
    return {"mul's backward gives each input its own value times the incoming grad; "
            "∂(a·b)/∂a is b, the OTHER input's value.": [z, L, w * z, x * z],
            "mul's backward forgets the incoming grad: multiply the local gradient by "
            "out.grad (the chain rule's 'gradient from the next node').": [z, L, x, w],
            "mul's backward passes the incoming grad through unchanged, as + does; "
            "∂(a·b)/∂a is b.": [z, L, 1.0, 1.0],
            "the gradients stayed 0: does backward() give the output the grad 1, then walk "
            "the tensors in reverse topological order, the output first?": [z, L, 0.0, 0.0]}


def _linear_bugs(p):
    x, w, y = p["x"], p["w"], p["y"]
    r = x * w - y
    return {"the power rule is off by one: ∂(r**n)/∂r is n·r**(n−1), not n·r**n.":
                [r * r, 2 * r * r * x],
            "the power rule lost its factor n: ∂(r**n)/∂r is n·r**(n−1).": [r * r, r * x]}


def _power_bugs(p):
    w, v, n, m = p["w"], p["v"], p["n"], p["m"]
    s = w ** n + v ** m
    return {"the power rule is off by one: ∂(w**n)/∂w is n·w**(n−1), not n·w**n.":
                [s, n * w ** n, m * v ** m],
            "the power rule lost its factor n: ∂(w**n)/∂w is n·w**(n−1).":
                [s, w ** (n - 1), v ** (m - 1)],
            "the power rule is off by one: ∂(w**n)/∂w is n·w**(n−1), not n·w**(n+1).":
                [s, n * w ** (n + 1), m * v ** (m + 1)]}


def _reuse_leaf_bugs(p):
    w = p["w"]
    return {OVERWRITTEN: [w * w + w, w],
            "tensors share one grad object: a rule stored `out.grad` itself "
            "(`self.grad = out.grad`), so adding into one grad changed the others. Give each "
            "tensor its own grad: a new Tensor of zeros the first time, then add into it.":
                [w * w + w, (1 + w) ** 2]}


def _reuse_result_bugs(p):
    w, x = p["w"], p["x"]
    a = w * x
    return {VISITED_TWICE: [a * a, 4 * a * x], OVERWRITTEN: [a * a, a * x]}


def _order_bugs(p):
    w, c = p["w"], p["c"]
    a = c * w
    return {"the walk goes in the wrong order: a passed its grad on before aa had added its "
            "share. Sort the tensors topologically (each after its parents) and walk that "
            "order in reverse.": [a + a * a, c],
            VISITED_TWICE: [a + a * a, 3 * c * (1 + 2 * a)],
            OVERWRITTEN: [a + a * a, c * a]}


def _sub_bugs(p):
    w, v, u, k = p["w"], p["v"], p["u"], p["k"]
    return {"`number - tensor` computes tensor − number: `__rsub__(self, other)` is "
            "other − self, not self − other.": [w - k, v - k, -u, 1.0, 1.0, -1.0],
            "`tensor - number` computes number − tensor: `__sub__(self, other)` is "
            "self − other.": [k - w, k - v, -u, -1.0, -1.0, -1.0]}


def _div_bugs(p):
    w, v, k, m = p["w"], p["v"], p["k"], p["m"]
    return {"`number / tensor` computes tensor / number: `__rtruediv__(self, other)` is "
            "other / self, not self / other.": [w / k, v / m, 1 / k, 1 / m],
            "`tensor / number` computes number / tensor: `__truediv__(self, other)` is "
            "self / other.": [k / w, m / v, -k / w ** 2, -m / v ** 2]}


def _surface_bugs(p):
    x, y, w, lr, w2 = p["x"], p["y"], p["w"], p["lr"], p["w2"]
    g1 = 2 * x * (x * w - y)
    w_new = w - lr * g1
    g2 = 2 * x * (x * w_new - y)
    return {".data must share its numbers with the tensor, and zero_() must change them in "
            "place: here `w.grad.data.zero_()` left the grad as it was, so it is never "
            "zeroed.": [g1, w_new, g1, g1 + g2, w_new, w2]}


def _accumulate_bugs(p):
    k, m = p["k"], p["m"]
    return {"backward() sets the leaves' grads instead of adding to them: gradients "
            "accumulate across backward() calls, as in PyTorch (which is why the loop zeroes "
            "them after each update).": [1.0, k, m],
            "a.grad and b.grad share their numbers: zeroing one zeroed the other. A rule "
            "stored the incoming grad's array itself; give each tensor a grad of its own "
            "(a new Tensor of zeros the first time, then add into it).": [0.0, k + m, k + m]}


def _twice_bugs(p):
    w, c = p["w"], p["c"]
    g = 2 * c * c * w
    return {NOT_ZEROED: [g, 3 * g], NOT_ZEROED + " Here the output's own grad also grew to 2.":
            [g, 4 * g]}


_PROBE_BUGS = {"chain": _chain_bugs, "linear": _linear_bugs, "power": _power_bugs,
               "reuse_leaf": _reuse_leaf_bugs, "reuse_result": _reuse_result_bugs,
               "order": _order_bugs, "sub": _sub_bugs, "div": _div_bugs,
               "surface": _surface_bugs, "accumulate": _accumulate_bugs, "twice": _twice_bugs}

# ------------------------------------------------------------------ homework 4-3 and 4-4


def quadratic_gradients(case):
    x, y, w1, w2, b = case["args"].values()
    r = w1 * x ** 2 + w2 * x + b - y
    r_without_b = r - b
    bugs = {"∂ŷ/∂w1 is x² and ∂ŷ/∂w2 is x: yours are the other way round.":
                [2 * r * x, 2 * r * x ** 2, 2 * r],
            "you forgot the factor 2 of ∂(r²)/∂r = 2r.": [r * x ** 2, r * x, r],
            "the sign is wrong: r = ŷ − y, not y − ŷ.": [-2 * r * x ** 2, -2 * r * x, -2 * r],
            "∂ŷ/∂w1 is x², the input squared; 2x is the derivative of x² with respect to x, "
            "which no weight asks for.": [2 * r * 2 * x, 2 * r * x, 2 * r],
            "those are the gradients of ŷ; the loss is (ŷ − y)², so multiply by "
            "∂loss/∂ŷ = 2(ŷ − y).": [x ** 2, x, 1.0],
            "ŷ leaves out b: ŷ = w1·x² + w2·x + b.":
                [2 * r_without_b * x ** 2, 2 * r_without_b * x, 2 * r_without_b],
            "the order is (dloss_dw1, dloss_dw2, dloss_db); yours is reversed.":
                [2 * r, 2 * r * x, 2 * r * x ** 2]}
    return {"expected": np.array([2 * r * x ** 2, 2 * r * x, 2 * r]),
            "bugs": {bug: np.array(value) for bug, value in bugs.items()}}


def _sgd(x, y, lr, epochs, start=1.0, zero=True):
    """Homework 4-4's training in float64, by hand (judging half): (w1, w2, b)."""
    w1 = w2 = b = start
    g1 = g2 = gb = 0.0
    for _ in range(epochs):
        for x_n, y_n in zip(x, y):
            r = w1 * x_n ** 2 + w2 * x_n + b - y_n
            g1, g2, gb = ((g1, g2, gb) if not zero else (0.0, 0.0, 0.0))
            g1, g2, gb = g1 + 2 * r * x_n ** 2, g2 + 2 * r * x_n, gb + 2 * r
            w1, w2, b = w1 - lr * g1, w2 - lr * g2, b - lr * gb
    return np.array([w1, w2, b])


def _batch_gd(x, y, lr, epochs):
    w1 = w2 = b = 1.0
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    for _ in range(epochs):
        r = w1 * x ** 2 + w2 * x + b - y
        w1, w2, b = (w1 - lr * np.mean(2 * r * x ** 2), w2 - lr * np.mean(2 * r * x),
                     b - lr * np.mean(2 * r))
    return np.array([w1, w2, b])


def _train_inputs(case):
    x, y, *rest = case["args"]
    kwargs = case["kwargs"]
    lr, epochs = rest if rest else (kwargs.get("lr", 0.01), kwargs.get("epochs", 100))
    return [float(v) for v in x], [float(v) for v in y], lr, epochs


def train_quadratic(case):
    x, y, lr, epochs = _train_inputs(case)
    return {"expected": _sgd(x, y, lr, epochs), "bugs": {
        "the grads are never zeroed, so they add up over the samples: call "
        "`.grad.data.zero_()` on w1, w2 and b after each update.":
            _sgd(x, y, lr, epochs, zero=False),
        "that is batch gradient descent, one update per epoch with the mean gradient; "
        "homework 4-4 updates after every sample (SGD), as the lecture's loop does.":
            _batch_gd(x, y, lr, epochs),
        "the weights start at 0; the homework starts from w1 = w2 = b = 1.0.":
            _sgd(x, y, lr, epochs, start=0.0),
        "lr and epochs are ignored: train with the arguments, not 0.01 and 100.":
            _sgd(x, y, 0.01, 100),
        "the samples go in reverse order; SGD here takes them in data order.":
            _sgd(x[::-1], y[::-1], lr, epochs),
        "one epoch is missing: `for epoch in range(epochs)`.": _sgd(x, y, lr, epochs - 1)}}


class _StandInTensor:
    """A stand-in for the learner's Tensor while ``train_quadratic`` is checked (running half).

    Forward mode: each tensor carries its derivatives with respect to the
    leaves that require grad, and ``backward()`` adds them into those leaves'
    grads; no graph is walked. It has ``+ - * **`` but no division, so it
    passes no check itself; a training loop needs no more.
    """
    __array_ufunc__ = None  # numpy numbers leave arithmetic with a tensor to the tensor

    def __init__(self, data, requires_grad=False):
        self.value = np.asarray(data.value if isinstance(data, _StandInTensor) else data,
                                dtype=float)
        self.requires_grad = requires_grad
        self.grad = None
        self._derivatives = None  # for results: {leaf: derivative}

    def _of(self):
        if self._derivatives is not None:
            return self._derivatives
        return {self: np.ones_like(self.value)} if self.requires_grad else {}

    @staticmethod
    def _result(value, a, ca, b, cb):
        da, db = a._of(), b._of() if b is not None else {}
        out = _StandInTensor(value)
        out._derivatives = {leaf: ca * da.get(leaf, 0.0) + cb * db.get(leaf, 0.0)
                            for leaf in da.keys() | db.keys()}
        out.requires_grad = bool(out._derivatives)
        return out

    @property
    def data(self):
        return _StandInTensor(self.value)

    @data.setter
    def data(self, other):
        self.value = (other.value if isinstance(other, _StandInTensor)
                      else np.asarray(other, dtype=float))

    def item(self):
        return self.value.item()

    def zero_(self):
        self.value[...] = 0.0
        return self

    def __add__(self, other):
        other = other if isinstance(other, _StandInTensor) else _StandInTensor(other)
        return self._result(self.value + other.value, self, 1.0, other, 1.0)

    def __mul__(self, other):
        other = other if isinstance(other, _StandInTensor) else _StandInTensor(other)
        return self._result(self.value * other.value, self, other.value, other, self.value)

    def __pow__(self, exponent):
        return self._result(self.value ** exponent, self,
                            exponent * self.value ** (exponent - 1), None, 0.0)

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return -self + other

    def __truediv__(self, other):
        raise TypeError("the stand-in Tensor of the train_quadratic check has no division")

    __radd__, __rmul__, __rtruediv__ = __add__, __mul__, __truediv__

    def backward(self):
        for leaf, derivative in self._of().items():
            if leaf.grad is None:
                leaf.grad = _StandInTensor(np.zeros_like(leaf.value))
            leaf.grad.value += derivative


STAND_INS = {"Tensor": _StandInTensor}

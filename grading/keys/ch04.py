"""Answer key of chapter 4 (back-propagation): see grading/answers.py. The grader's only.

The engine's steps are judged by scripts against a simulation: values by float
arithmetic, gradients by forward-mode derivatives (each value carries its
derivative with respect to every leaf that requires grad), and, for the
messages, finite differences.
"""
import numpy as np

from course_utils.i18n import N_


# ------------------------------------------------------------------ answers by hand


def dloss_dw_4_1(case):
    x, y, w = case["x"], case["y"], case["w"]
    r = x * w - y
    return {"expected": 2 * x * r, "bugs": {
        N_("the sign is wrong."): -2 * x * r,
        N_("you forgot the factor 2 of ∂(r²)/∂r = 2r, or the factor x of ∂ŷ/∂w = x "
           "(here both are 2)."): 2 * r,
        N_("that is the loss itself, not its gradient."): r ** 2,
        N_("that is the residual r = ŷ − y, the end of the forward pass: go on backward "
           "through loss = r²."): r,
        N_("a factor 2 or x came in twice."): 4 * x * r}}


def grads_4_2(case):
    x, w, b, y = case["x"], case["w"], case["b"], case["y"]
    r, y_hat = x * w + b - y, x * w + b
    return {"expected": np.array([2 * r * x, 2 * r]), "bugs": {
        N_("the sign is wrong."): np.array([-2 * r * x, -2 * r]),
        N_("you forgot the factor 2 of ∂(r²)/∂r = 2r."): np.array([r * x, r]),
        N_("b gets a gradient too: ∂ŷ/∂b = 1, not 0."): np.array([2 * r * x, 0.0]),
        N_("∂ŷ/∂w is x, not b."): np.array([2 * r * b, 2 * r]),
        N_("you used ŷ where the graph has r = ŷ − y."): np.array([2 * y_hat * x, 2 * y_hat])}}


# ------------------------------------------------------------------ the engine's steps


def _simulate(script, nudge=None):
    """What a correct engine reads in ``script`` (judging half): [(label, expected)].

    Values by float arithmetic; each value also carries its derivatives with
    respect to the leaves that require grad (forward mode), which a backward
    pass adds into those leaves' grads. A rule run by hand (``local``) passes
    the node's grad to its inputs times their local gradients. ``nudge=(leaf,
    h)`` shifts a leaf's data, for finite differences.
    """
    tensors, records = {}, []

    def operand(x):
        if type(x) is not str:
            return float(x), {}
        return tensors[x]["value"], tensors[x]["d"]

    def add_grad(name, amount):
        node = tensors[name]
        if node["requires_grad"]:
            node["grad"] = (node["grad"] or 0.0) + amount

    for statement in script:
        kind, *rest = statement
        if kind == "new":
            name, data, how = rest
            value = float(np.ravel(data)[0]) + (nudge[1] if nudge and nudge[0] == name else 0.0)
            grad_leaf = how != "plain"
            tensors[name] = {"value": value, "d": {name: 1.0} if grad_leaf else {},
                             "requires_grad": grad_leaf, "grad": None}
        elif kind == "op":
            name, op, a, b = rest
            value, d = _derivative(op, operand(a), operand(b) if b is not None else None)
            tensors[name] = {"value": value, "d": d, "requires_grad": bool(d), "grad": None,
                             "op": op, "inputs": (a, b)}
        elif kind in ("backward", "walk", "walk_again"):
            for leaf, derivative in tensors[rest[0]]["d"].items():
                add_grad(leaf, derivative)
        elif kind == "accumulate":
            names, g, _ = rest
            for name in names:
                add_grad(name, float(np.ravel(g)[0]))
        elif kind == "zero_grad":
            tensors[rest[0]]["grad"] = 0.0
        elif kind == "seed":
            tensors[rest[0]]["grad"] = float(rest[1])
        elif kind in ("local", "rule_kw"):
            node = tensors[rest[0]]
            a, b = node["inputs"]
            va, vb = operand(a)[0], operand(b)[0] if b is not None else None
            local = {"+": (1.0, 1.0), "*": (vb, va),
                     "**": (vb * va ** (vb - 1) if b is not None else 0.0, 0.0)}[node["op"]]
            for x, factor in zip((a, b), local):
                if type(x) is str:
                    add_grad(x, factor * node["grad"])
        elif kind == "record":
            label, name, what = rest
            node = tensors[name]
            records.append((label, node["value"] if what == "value" else node["grad"]))
    return records


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


def _engine_answer(case):
    records = _simulate(case["script"])
    numbers = np.array([value for _, value in records if value is not None], dtype=float)
    bugs = _PROBE_BUGS.get(case["probe"], lambda p: {})(case.get("params", {}))
    finite = {}
    if case["probe"] == "expression":
        finite = {label[:-len(".grad")]: _finite_differences(case["script"], label[:-len(".grad")])
                  for label, value in records if label.endswith(".grad") and value is not None}
    return {"records": [[label, value] for label, value in records], "numbers": numbers,
            "bugs": {bug: np.array(values, dtype=float) for bug, values in bugs.items()},
            "finite_differences": finite}


def accumulate_grad(case):
    return _engine_answer(case)


def mul_backward(case):
    return _engine_answer(case)


def pow_backward(case):
    return _engine_answer(case)


def backward_walk(case):
    return _engine_answer(case)


def div(case):
    return _engine_answer(case)


OVERWRITTEN = N_("a gradient is overwritten instead of accumulated: a tensor used twice gets "
                 "a grad from each use, and they add up. Add into tensor.grad (`+=`), never "
                 "assign it.")

VISITED_TWICE = N_("a tensor is visited twice in the walk and passes its grad on each time "
                   "(here a, which l uses twice): keep a set of the tensors already ordered, "
                   "so that each comes once.")

NOT_ZEROED = N_("the second walk passed the first one's grads on again: the grads of results "
                "must be set to None before the walk (the skeleton's given loop does it), so "
                "that only the leaves keep theirs.")


# Each probe is a small graph where typical bugs give numbers of their own: per bug, the
# numbers of the script's records (values and grads, in order) that the bug produces.


def _adds_bugs(p):
    return {OVERWRITTEN: [p["g"], p["h"]]}


def _own_grad_bugs(p):
    h = p["h"]
    return {N_("a.grad and b.grad share their numbers: zeroing one zeroed the other. Keep the "
               "array you are given out of tensor.grad: make a new Tensor of zeros the first "
               "time, then add into its value."): [0.0, h, h]}


def _mul_node_bugs(p):
    x, w, g = p["x"], p["w"], p["g"]
    return {N_("each input receives its own value times out.grad; ∂(a·b)/∂a is b, the OTHER "
               "input's value."): [x * g, w * g],
            N_("the rule forgets out.grad: multiply the local gradient by out.grad.value (the "
               "chain rule's 'gradient from the next node')."): [w, x],
            N_("the rule passes out.grad through unchanged, as + does; ∂(a·b)/∂a is b."):
                [g, g]}


def _mul_square_bugs(p):
    w, g = p["w"], p["g"]
    return {OVERWRITTEN: [w * g]}


def _pow_node_bugs(p):
    w, n, g, v, m = p["w"], p["n"], p["g"], p["v"], p["m"]
    return {N_("the power rule is off by one: ∂(a**n)/∂a is n·a**(n−1), not n·a**n."):
                [n * w ** n * g, m * v ** m * g],
            N_("the power rule lost its factor n: ∂(a**n)/∂a is n·a**(n−1)."):
                [w ** (n - 1) * g, v ** (m - 1) * g],
            N_("the rule forgets out.grad: multiply the local gradient by out.grad.value."):
                [n * w ** (n - 1), m * v ** (m - 1)]}


def _chain_bugs(p):
    x, w, g = p["x"], p["w"], p["g"]
    return {N_("the gradients stayed 0: does backward_walk give the output the grad 1, then "
               "call _backward() in the reverse of the order, the output first?"):
                [x * w * g, 0.0, 0.0]}


def _linear_bugs(p):
    return {}


def _reuse_result_bugs(p):
    w, x = p["w"], p["x"]
    a = w * x
    return {VISITED_TWICE: [a * a, 4 * a * x]}


def _order_bugs(p):
    w, c = p["w"], p["c"]
    a = c * w
    return {N_("the walk goes in the wrong order: a passed its grad on before aa had added its "
               "share. Put each tensor in the order after its parents (visit the parents first, "
               "then append the tensor) and walk that order in reverse."): [a + a * a, c],
            VISITED_TWICE: [a + a * a, 3 * c * (1 + 2 * a)]}


def _accumulate_bugs(p):
    k, m = p["k"], p["m"]
    return {N_("the leaves' grads are reset by the walk: gradients accumulate across backward "
               "calls, as in PyTorch (which is why the loop zeroes them after each update). "
               "Set only the results' grads (tensors with _parents) to None."): [k, m]}


def _twice_bugs(p):
    w, c = p["w"], p["c"]
    g = 2 * c * c * w
    return {NOT_ZEROED: [g, 3 * g],
            N_("the second walk passed the first one's grads on again: the grads of results "
               "must be set to None before the walk (the skeleton's given loop does it), so "
               "that only the leaves keep theirs. Here the output's own grad also grew to 2."):
                [g, 4 * g]}


def _div_bugs(p):
    w, v, k, m = p["w"], p["v"], p["k"], p["m"]
    return {N_("div(a, b) multiplies: a / b is a · b⁻¹, b to the power −1 (`a * b ** -1`)."):
                [k * w, v * m, k, m],
            N_("div(a, b) computes b / a: it is a · b⁻¹, `a * b ** -1`."):
                [w / k, m / v, 1 / k, -m / v ** 2]}


def _div_tensors_bugs(p):
    u, v = p["u"], p["v"]
    return {N_("div(a, b) computes b / a: it is a · b⁻¹, `a * b ** -1`."):
                [v / u, -v / u ** 2, 1 / u]}


_PROBE_BUGS = {"adds": _adds_bugs, "own_grad": _own_grad_bugs, "mul_node": _mul_node_bugs,
               "mul_square": _mul_square_bugs, "pow_node": _pow_node_bugs,
               "chain": _chain_bugs, "linear": _linear_bugs,
               "reuse_result": _reuse_result_bugs, "order": _order_bugs,
               "accumulate": _accumulate_bugs, "twice": _twice_bugs, "div": _div_bugs,
               "div_tensors": _div_tensors_bugs}


# ------------------------------------------------------------------ homework 4-3 and 4-4


def quadratic_gradients(case):
    x, y, w1, w2, b = case["args"].values()
    r = w1 * x ** 2 + w2 * x + b - y
    r_without_b = r - b
    bugs = {N_("∂ŷ/∂w1 is x² and ∂ŷ/∂w2 is x: yours are the other way round."):
                [2 * r * x, 2 * r * x ** 2, 2 * r],
            N_("you forgot the factor 2 of ∂(r²)/∂r = 2r."): [r * x ** 2, r * x, r],
            N_("the sign is wrong: r = ŷ − y, not y − ŷ."): [-2 * r * x ** 2, -2 * r * x, -2 * r],
            N_("∂ŷ/∂w1 is x², the input squared; 2x is the derivative of x² with respect to x, "
               "which no weight asks for."): [2 * r * 2 * x, 2 * r * x, 2 * r],
            N_("those are the gradients of ŷ; the loss is (ŷ − y)², so multiply by "
               "∂loss/∂ŷ = 2(ŷ − y)."): [x ** 2, x, 1.0],
            N_("ŷ leaves out b: ŷ = w1·x² + w2·x + b."):
                [2 * r_without_b * x ** 2, 2 * r_without_b * x, 2 * r_without_b],
            N_("the order is (dloss_dw1, dloss_dw2, dloss_db); yours is reversed."):
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
    kwargs = case["kwargs"]
    x, y, *rest = case["args"] or (kwargs["x"], kwargs["y"])
    lr, epochs = rest if rest else (kwargs.get("lr", 0.01), kwargs.get("epochs", 100))
    return [float(v) for v in x], [float(v) for v in y], lr, epochs


def train_quadratic(case):
    x, y, lr, epochs = _train_inputs(case)
    return {"expected": _sgd(x, y, lr, epochs), "bugs": {
        N_("the grads are never zeroed, so they add up over the samples: call "
           "`.grad.data.zero_()` on w1, w2 and b after each update."):
            _sgd(x, y, lr, epochs, zero=False),
        N_("that is batch gradient descent, one update per epoch with the mean gradient; "
           "homework 4-4 updates after every sample (SGD), as the lecture's loop does."):
            _batch_gd(x, y, lr, epochs),
        N_("the weights start at 0; the homework starts from w1 = w2 = b = 1.0."):
            _sgd(x, y, lr, epochs, start=0.0),
        N_("lr and epochs are ignored: train with the arguments, not 0.01 and 100."):
            _sgd(x, y, 0.01, 100),
        N_("the samples go in reverse order; SGD here takes them in data order."):
            _sgd(x[::-1], y[::-1], lr, epochs),
        N_("one epoch is missing: `for epoch in range(epochs)`."): _sgd(x, y, lr, epochs - 1)}}


def _accumulate_grad(tensor, grad):
    """The stand-in for a wrong ``accumulate_grad`` (running half, sent as source)."""
    if tensor.grad is None:
        tensor.grad = type(tensor)(np.zeros_like(tensor.value))
    tensor.grad.value = tensor.grad.value + grad


def _mul_backward(a, b, out):
    """The stand-in for a wrong ``mul_backward``."""
    a._accumulate(b.value * out.grad.value)
    b._accumulate(a.value * out.grad.value)


def _pow_backward(a, n, out):
    """The stand-in for a wrong ``pow_backward``."""
    a._accumulate(n * a.value ** (n - 1) * out.grad.value)


def _backward_walk(output):
    """The stand-in for a wrong ``backward_walk``: a topological order without recursion."""
    order, seen, todo = [], set(), [(output, False)]
    while todo:
        tensor, expanded = todo.pop()
        if expanded:
            order.append(tensor)
        elif tensor not in seen:
            seen.add(tensor)
            todo.append((tensor, True))
            todo.extend((parent, False) for parent in tensor._parents)
    for tensor in order:
        if tensor._parents:
            tensor.grad = None
    output._accumulate(np.ones_like(output.value))
    for tensor in reversed(order):
        tensor._backward()


def _div(a, b):
    """The stand-in for a wrong ``div``."""
    return a * b ** -1


STAND_INS = {"accumulate_grad": _accumulate_grad, "mul_backward": _mul_backward,
             "pow_backward": _pow_backward, "backward_walk": _backward_walk, "div": _div}

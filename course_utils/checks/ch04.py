"""Chapter 4 (back-propagation): its exercises, declared once.

The test cells call them: ``cu.checks.ch04.Tensor(Tensor)``; the hidden tests
``cu.checks.ch04.Tensor(Tensor, hidden=True)``. ``dloss_dw_4_1`` and
``grads_4_2`` are answers by hand, values rather than functions: their
checks take the value itself and never show the right answer, only what is
wrong with the one given (its type, its sign, a missing factor).

The engine's check runs short **scripts** (plain data: "make w, compute
``z = x * w``, call ``z.backward()``, read ``w.grad``") with the learner's
``Tensor`` and hands back the numbers it read. Judging recomputes every value
and gradient itself: values with float arithmetic, gradients by forward-mode
derivatives (each value carries its derivative with respect to every leaf)
and, for the message, by finite differences. The visible scripts are the
lecture's examples and small graphs built so that each typical bug gives its
own numbers; the hidden ones are the same graphs with other numbers and
random expressions drawn from the seed.

``train_quadratic`` uses the learner's ``Tensor``. If that does not pass its
own visible check, the check runs with a stand-in: a forward-mode tensor
without division (so it passes no check itself), enough for a training loop.
A bug in the engine then costs only the engine's points.
"""
import numpy as np

from .core import (TIMED_OUT, call, describe, Exercise, Fail, helpers_in_place, likely,
                   not_implemented, Opaque, raised, replaced_note, show, to_plain)

CHAPTER = "04_backprop"
RTOL, ATOL = 1e-9, 1e-9  # float64 throughout: a float32 engine is told so


def _close(actual, expected, rtol=RTOL, atol=ATOL):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=rtol, atol=atol)


def _float32_close(actual, expected):
    """Right to about float32 precision but not to float64's."""
    return _close(actual, expected, rtol=1e-4, atol=1e-6) and not _close(actual, expected)


FLOAT32_HINT = ("\nLikely bug: the numbers agree only to about 7 digits, float32 precision: "
                "compute in float64 (`dtype=float`), as this chapter does.")


# ------------------------------------------------------------------ answers by hand


def _answer_run(answer, case):
    """Running half of a value exercise: the value as plain data (a function's result too)."""
    if callable(answer) and not isinstance(answer, type):
        return {"function": True, **call(answer)}
    return {"value": to_plain(answer)}


def _plain_number(value):
    """``value`` as a float if it is one number (a size-1 array too), else None."""
    if type(value) in (int, float):
        return float(value)
    if type(value) is np.ndarray and value.size == 1 and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    return None


def _answer_type_problem(name, observed, what):
    """The message when a value exercise holds something other than ``what``, or None."""
    if observed.get("function"):
        result = (f"it returns {describe(observed['value'])}" if "value" in observed
                  else f"calling it raised {observed['error']['type']}")
        return (f"{name} is a function ({result}); the answer is {what}: assign the value "
                f"itself, e.g. `{name} = ...`, not a function that computes it.")
    value = observed["value"]
    if value is None:
        return not_implemented(name)
    if type(value) is Opaque and "Tensor" in value.type_name:
        return (f"{name} is a {value.type_name}; the answer is {what}, plain numbers: "
                "take a tensor's number out with `.item()`.")
    return None


def _answer_1_cases(seed):
    case = {"x": 2.0, "y": 4.0, "w": 1.0}
    return [case if seed is None else {**case, "round": "hidden"}]


def _answer_1_expected(case):
    return np.array(2 * case["x"] * (case["x"] * case["w"] - case["y"]))


def _answer_1_bugs(case):
    x, y, w = case["x"], case["y"], case["w"]
    r = x * w - y
    return {"the sign is wrong.": np.array(-2 * x * r),
            "you forgot the factor 2 of ∂(r²)/∂r = 2r, or the factor x of ∂ŷ/∂w = x "
            "(here both are 2).": np.array(2 * r),
            "that is the loss itself, not its gradient.": np.array(r ** 2),
            "that is the residual r = ŷ − y, the end of the forward pass: go on backward "
            "through loss = r².": np.array(r),
            "a factor 2 or x came in twice.": np.array(4 * x * r)}


def _answer_1_judge(case, observed):
    name, what = "dloss_dw_4_1", "one number"
    problem = _answer_type_problem(name, observed, what)
    if problem:
        raise Fail(problem)
    value = _plain_number(observed["value"])
    if value is None:
        raise Fail(f"{name} is {describe(observed['value'])}; the answer is one number.")
    if not _close(value, _answer_1_expected(case), rtol=1e-6):
        raise Fail(f"{name} = {show(value)} is not ∂loss/∂w for ŷ = x·w at x = 2, y = 4, w = 1. "
                   "Walk the graph backward: ∂loss/∂w = ∂loss/∂r · ∂r/∂ŷ · ∂ŷ/∂w."
                   + likely(value, _answer_1_bugs(case), lambda a, b: _close(a, b, rtol=1e-6)))


dloss_dw_4_1 = Exercise(
    name="dloss_dw_4_1", points=1, cases=_answer_1_cases, run=_answer_run,
    judge=_answer_1_judge, hidden_seeds=(40_121,),
    expected=_answer_1_expected, bugs=_answer_1_bugs,
    summary="dloss_dw_4_1 is homework 4-1's ∂loss/∂w, one number")


def _answer_2_cases(seed):
    case = {"x": 1.0, "w": 1.0, "b": 2.0, "y": 2.0}
    return [case if seed is None else {**case, "round": "hidden"}]


def _answer_2_expected(case):
    r = case["x"] * case["w"] + case["b"] - case["y"]
    return np.array([2 * r * case["x"], 2 * r])


def _answer_2_bugs(case):
    x, w, b, y = case["x"], case["w"], case["b"], case["y"]
    r, y_hat = x * w + b - y, x * w + b
    return {"the sign is wrong.": np.array([-2 * r * x, -2 * r]),
            "you forgot the factor 2 of ∂(r²)/∂r = 2r.": np.array([r * x, r]),
            "b gets a gradient too: ∂ŷ/∂b = 1, not 0.": np.array([2 * r * x, 0.0]),
            "∂ŷ/∂w is x, not b.": np.array([2 * r * b, 2 * r]),
            "you used ŷ where the graph has r = ŷ − y.": np.array([2 * y_hat * x, 2 * y_hat])}


def _answer_2_judge(case, observed):
    name, what = "grads_4_2", "a tuple of two numbers, (dloss_dw, dloss_db)"
    problem = _answer_type_problem(name, observed, what)
    if problem:
        raise Fail(problem)
    value = observed["value"]
    items = (list(value) if type(value) in (tuple, list)
             else value.ravel().tolist() if type(value) is np.ndarray else None)
    if items is None or len(items) != 2:
        raise Fail(f"{name} is {describe(value)}; the answer is {what}.")
    if any(type(item) is Opaque for item in items):
        raise Fail(f"{name} holds {describe(next(i for i in items if type(i) is Opaque))}; "
                   "it should hold plain numbers: take a tensor's number out with `.item()`.")
    numbers = [_plain_number(item) for item in items]
    if None in numbers:
        raise Fail(f"{name} holds {describe(items[numbers.index(None)])}; {what} expected.")
    expected = _answer_2_expected(case)
    right = [_close(a, e, rtol=1e-6) for a, e in zip(numbers, expected)]
    if not all(right):
        which = ("dloss_dw is right, dloss_db is not" if right[0] else
                 "dloss_db is right, dloss_dw is not" if right[1] else "both are wrong")
        raise Fail(f"{name} = ({numbers[0]!r}, {numbers[1]!r}): {which} (ŷ = x·w + b at x = 1, "
                   "w = 1, b = 2, y = 2). Walk the graph backward through r = ŷ − y and loss = r²."
                   + likely(numbers, _answer_2_bugs(case), lambda a, b: _close(a, b, rtol=1e-6)))


grads_4_2 = Exercise(
    name="grads_4_2", points=2, cases=_answer_2_cases, run=_answer_run,
    judge=_answer_2_judge, hidden_seeds=(40_221,),
    expected=_answer_2_expected, bugs=_answer_2_bugs,
    summary="grads_4_2 is homework 4-2's (dloss_dw, dloss_db), two numbers")


# ------------------------------------------------------------------ Tensor: scripts
#
# A script is a list of statements, each a tuple of plain data:
#   ("new", name, data, how)       how: "kw" Tensor(data, requires_grad=True), "plain"
#                                  Tensor(data), "set" Tensor(data) then .requires_grad = True
#   ("op", name, op, a, b)         op in + - * / ** neg; a, b: a tensor's name or a number
#   ("backward", name)
#   ("step", name, lr)             name.data = name.data - lr * name.grad.data
#   ("zero_grad", name)            name.grad.data.zero_()
#   ("view", new, name)            new = name.data
#   ("zero", name)                 name.zero_()
#   ("assign", name, data)         name.data = Tensor(data)
#   ("record", label, name, what)  what: "value" (.item()), "grad", "requires_grad", "item_type"
#   ("same_grad", label, a, b)     a.grad is b.grad

def _operand_text(operand):
    return operand if type(operand) is str else repr(operand)


def _lines(statement):
    """The Python lines a statement stands for (what the learner would write)."""
    kind, *rest = statement
    if kind == "new":
        name, data, how = rest
        if how == "kw":
            return [f"{name} = Tensor({data!r}, requires_grad=True)"]
        return [f"{name} = Tensor({data!r})"] + ([f"{name}.requires_grad = True"]
                                                  if how == "set" else [])
    if kind == "op":
        name, op, a, b = rest
        if op == "neg":
            return [f"{name} = -{a}"]
        return [f"{name} = {_operand_text(a)} {op} {_operand_text(b)}"]
    if kind == "backward":
        return [f"{rest[0]}.backward()"]
    if kind == "step":
        name, lr = rest
        return [f"{name}.data = {name}.data - {lr!r} * {name}.grad.data"]
    if kind == "zero_grad":
        return [f"{rest[0]}.grad.data.zero_()"]
    if kind == "view":
        return [f"{rest[0]} = {rest[1]}.data"]
    if kind == "zero":
        return [f"{rest[0]}.zero_()"]
    if kind == "assign":
        return [f"{rest[0]}.data = Tensor({rest[1]!r})"]
    return []


def _statement_text(statement):
    """The last line of a statement, or what a record reads."""
    lines = _lines(statement)
    return lines[-1] if lines else statement[1]


def _code(script, upto=None):
    lines = [line for statement in script[:upto] for line in _lines(statement)]
    return "\n".join("    " + line for line in lines)


class _NotATensor(Exception):
    """An operation of the learner's engine gave something other than a Tensor."""


def _execute(make, tensor_type, env, statement, records):
    """Run one statement with the learner's engine (running half)."""
    kind, *rest = statement

    def tensor(obj, text):
        if not isinstance(obj, tensor_type):
            raise _NotATensor(f"{text} gave {describe(to_plain(obj))}, expected a Tensor")
        return obj

    if kind == "new":
        name, data, how = rest
        if how == "kw":
            env[name] = tensor(make(data, requires_grad=True), _lines(statement)[0])
        else:
            env[name] = tensor(make(data), f"Tensor({data!r})")
            if how == "set":
                env[name].requires_grad = True
    elif kind == "op":
        name, op, a, b = rest
        a, b = (env[x] if type(x) is str else x for x in (a, b))
        result = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                  "/": lambda: a / b, "**": lambda: a ** b, "neg": lambda: -a}[op]()
        env[name] = tensor(result, _lines(statement)[0].split(" = ", 1)[1])
    elif kind == "backward":
        env[rest[0]].backward()
    elif kind == "step":
        name, lr = rest
        env[name].data = env[name].data - lr * env[name].grad.data
    elif kind == "zero_grad":
        env[rest[0]].grad.data.zero_()
    elif kind == "view":
        env[rest[0]] = tensor(env[rest[1]].data, f"{rest[1]}.data")
    elif kind == "zero":
        env[rest[0]].zero_()
    elif kind == "assign":
        env[rest[0]].data = make(rest[1])
    elif kind == "record":
        label, name, what = rest
        records.append(_read(env[name], what, tensor_type))
    elif kind == "same_grad":
        records.append({"value": env[rest[1]].grad is env[rest[2]].grad
                        and env[rest[1]].grad is not None})


def _read(t, what, tensor_type):
    """One number (or fact) read from a tensor, as plain data."""
    if what == "value":
        return {"value": to_plain(t.item())}
    if what == "item_type":
        return {"value": type(t.item()).__name__}
    if what == "requires_grad":
        return {"value": to_plain(t.requires_grad)}
    grad = t.grad
    if grad is None:
        return {"value": None}
    if not isinstance(grad, tensor_type):
        return {"value": to_plain(grad), "not_tensor": True}
    return {"value": to_plain(grad.item())}


def _run_script(make, tensor_type, script):
    """Running half of one script: the records read, and where and why it stopped.

    A statement that ran out of time also shows as the observation's ``error``,
    so that the remaining scripts are not run (see ``Exercise.observe``).
    """
    env, records = {}, []
    for index, statement in enumerate(script):
        outcome = call(lambda: _execute(make, tensor_type, env, statement, records))
        if "error" in outcome:
            stopped = {"records": records, "stopped": {"step": index, "error": outcome["error"]}}
            if outcome["error"]["type"] == TIMED_OUT:
                stopped["error"] = outcome["error"]
            return stopped
    return {"records": records, "stopped": None}


def _tensor_run(Tensor, case):
    if not isinstance(Tensor, type):
        made = call(Tensor, 2.0)
        result = (describe(made["value"]) if "value" in made
                  else f"an error ({made['error']['type']})")
        return {"not_a_class": describe(to_plain(Tensor)), "made": result}
    return _run_script(Tensor, Tensor, case["script"])


# ------------------------------------------------------------------ Tensor: judging


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


def _expected_numbers(case):
    """The numbers among a script's expected records, in order (for the bug tables)."""
    return np.array([value for _, value in _simulate(case["script"])
                     if type(value) is float])


def _finite_differences(script, leaf, h=1e-6):
    """∂(last recorded value)/∂leaf by central differences: a check independent of the engine."""
    def last_value(shift):
        values = [value for label, value in _simulate(script, (leaf, shift))
                  if label.endswith(".item()")]
        return values[-1]
    return (last_value(h) - last_value(-h)) / (2 * h)


def _tensor_bugs(case):
    params = case.get("params", {})
    return {bug: np.array(values, dtype=float)
            for bug, values in _PROBE_BUGS.get(case["probe"], lambda p: {})(params).items()}


NONE_HINT = ("a tensor passed its grad on before it had one: does backward() give the output "
             "the grad 1 first, then walk the tensors in reverse topological order (the "
             "output first, each tensor after every tensor computed from it)?")
RECURSION_HINT = ("an operator calls itself: e.g. `__rsub__` returning `other - self` with "
                  "`other` a number runs `__rsub__` again. Build it from the primitives "
                  "instead: `-self + other`.")


def _stopped_message(case, observed):
    stopped = observed["stopped"]
    step, error = stopped["step"], stopped["error"]
    code = _code(case["script"], step + 1)
    where = f"In\n{code}\n"
    if error["type"] == "NotImplementedError":
        return (not_implemented("Tensor") + " The first part still missing is reached by "
                f"`{_statement_text(case['script'][step])}` in\n{code}")
    if error["type"] == "_NotATensor":
        return (f"{where}{error['message']}: every operation must return a new Tensor "
                "(build it with `self._result(...)`, as the given code does).")
    if error["type"] == "RecursionError":
        return (f"{where}this raised RecursionError: {error['message']}\n"
                f"Likely bug: {RECURSION_HINT}")
    message = raised(f"{where}the last line", error, "Tensor")
    if case["script"][step][0] == "backward" and "NoneType" in error["message"]:
        message += f"\nLikely bug: {NONE_HINT}"
    elif "has no attribute 'value'" in error["message"]:
        message += ("\nLikely bug: a grad that is not a Tensor: `_accumulate` must keep "
                    "self.grad a Tensor, since the rules read `out.grad.value`.")
    return message


def _tensor_judge(case, observed):
    if "not_a_class" in observed:
        raise Fail(f"Tensor is {observed['not_a_class']}, not a class (Tensor(2.0) gave "
                   f"{observed['made']}): define it with `class Tensor:` as the cell does.")
    expected = _simulate(case["script"])
    records = observed["records"]
    record_steps = [i for i, statement in enumerate(case["script"])
                    if statement[0] in ("record", "same_grad")]
    for index, ((label, want), got) in enumerate(zip(expected, records)):
        code = _code(case["script"], record_steps[index])
        _judge_record(case, label, want, got, f"After\n{code}\n", observed)
    if observed["stopped"]:
        raise Fail(_stopped_message(case, observed))


def _judge_record(case, label, want, got, where, observed):
    value = got["value"]
    if got.get("not_tensor"):
        raise Fail(f"{where}{label} is {describe(value)}, expected a Tensor: .grad holds a "
                   "Tensor, as in PyTorch (the lecture's loop reads `w.grad.data` and "
                   "`w.grad.item()`).")
    if want is None:
        if value is not None:
            raise Fail(f"{where}{label} is {show(value)}, expected None: only tensors made with "
                       "requires_grad=True (and results computed from them) get a grad, and "
                       "only once backward() has reached them, as in PyTorch.")
        return
    if type(want) is bool:
        if value is not want:
            raise Fail(f"{where}{label} is {show(value) if value is not None else 'None'}, "
                       f"expected {want}." + _FACT_HINTS.get((label, want), ""))
        return
    if type(want) is str:
        if value != want:
            raise Fail(f"{where}{label} is {value}, expected float: item() gives the single "
                       "number as a Python float, as in PyTorch.")
        return
    if value is None:
        raise Fail(f"{where}{label} is None, expected {show(want)}: backward() never "
                   "reached it, or never added to its grad.")
    number = _plain_number(value)
    if number is None:
        raise Fail(f"{where}{label} is {describe(value)}, expected the number {show(want)}.")
    if _close(number, want, atol=ATOL * (1 + _scale(case))):
        return
    hint = FLOAT32_HINT if _float32_close(number, want) else _record_hint(case, label, observed)
    if label.endswith(".grad") and case["probe"] == "expression":
        leaf = label[:-len(".grad")]
        hint = (f" (finite differences give ≈ {_finite_differences(case['script'], leaf):.6g})"
                + hint)
    raise Fail(f"{where}{label} is {show(number)}, expected {show(want)}.{hint}")


def _scale(case):
    numbers = _expected_numbers(case)
    return float(np.max(np.abs(numbers))) if numbers.size else 1.0


def _record_hint(case, label, observed):
    """The likely bug, from the numbers read so far compared with each bug's."""
    expected = _expected_numbers(case)
    read = [_plain_number(record["value"])
            for record, (_, want) in zip(observed["records"], _simulate(case["script"]))
            if type(want) is float]
    actual = np.full(len(expected), np.nan)  # NaN: not read, or not a number
    actual[:len(read)] = [np.nan if number is None else number for number in read]
    hint = likely(actual, _tensor_bugs(case), _close_where_known)
    if hint or not label.endswith(".grad"):
        return hint
    known = ~np.isnan(actual)
    ratios = actual[known] / np.where(expected[known] == 0, np.nan, expected[known])
    if any(np.isclose(ratios, k) for k in (2.0, 3.0, 4.0)):
        return ("\nLikely bug: a gradient counted more than once: a tensor visited twice in the "
                "walk (keep a set of the tensors already ordered) or added twice in a rule.")
    return ""


def _close_where_known(actual, expected):
    """Compare only the numbers read before the check stopped."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    known = ~np.isnan(actual)
    return (actual.shape == expected.shape and known.any()
            and np.allclose(actual[known], expected[known], rtol=RTOL, atol=ATOL))


_FACT_HINTS = {
    ("w.data.requires_grad", False): (
        "\nLikely bug: .data is the same numbers without history: a Tensor that does not "
        "require grad, so that the update `w.data = w.data - lr * w.grad.data` is not "
        "recorded in the graph."),
    ("a.grad is b.grad", False): (
        "\nLikely bug: two tensors share one grad object, so adding into one changes the "
        "other: a rule stored `out.grad` itself (`self.grad = out.grad`). Give each tensor "
        "its own grad: create a new Tensor the first time, then add into it."),
    ("w.requires_grad", True): (
        "\nLikely bug: assigning w.data must change only the numbers; w still requires grad."),
}


# ------------------------------------------------------------------ Tensor: the probes
#
# Each probe is a small graph where typical bugs give numbers of their own.
# ``params`` are its numbers: the lecture's in the visible case, drawn from the
# seed in hidden ones. Its bug table gives, per bug, the numbers of the
# script's records (values and grads, in order) that the bug produces.


def _probe(probe, params, script):
    return {"probe": probe, "params": params, "script": script}


def _chain_probe(p):
    """The lecture's worked example: z = x·w with ∂L/∂z = g given by L = z·g."""
    return _probe("chain", p, [
        ("new", "x", p["x"], "kw"), ("new", "w", p["w"], "kw"),
        ("op", "z", "*", "x", "w"), ("op", "L", "*", "z", p["g"]), ("backward", "L"),
        ("record", "z.item()", "z", "value"), ("record", "L.item()", "L", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "x.grad", "x", "grad")])


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


def _linear_probe(p):
    """The lecture's graph of the linear model: ŷ = x·w, loss = (ŷ − y)², w made as in its loop."""
    return _probe("linear", p, [
        ("new", "w", [p["w"]], "set"), ("op", "y_hat", "*", p["x"], "w"),
        ("op", "r", "-", "y_hat", p["y"]), ("op", "l", "**", "r", 2), ("backward", "l"),
        ("record", "l.item()", "l", "value"), ("record", "w.grad", "w", "grad")])


def _linear_bugs(p):
    x, w, y = p["x"], p["w"], p["y"]
    r = x * w - y
    return {"the power rule is off by one: ∂(r**n)/∂r is n·r**(n−1), not n·r**n.":
                [r * r, 2 * r * r * x],
            "the power rule lost its factor n: ∂(r**n)/∂r is n·r**(n−1).": [r * r, r * x]}


def _power_probe(p):
    return _probe("power", p, [
        ("new", "w", p["w"], "kw"), ("new", "v", p["v"], "kw"),
        ("op", "p", "**", "w", p["n"]), ("op", "q", "**", "v", p["m"]),
        ("op", "s", "+", "p", "q"), ("backward", "s"),
        ("record", "s.item()", "s", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "v.grad", "v", "grad")])


def _power_bugs(p):
    w, v, n, m = p["w"], p["v"], p["n"], p["m"]
    s = w ** n + v ** m
    return {"the power rule is off by one: ∂(w**n)/∂w is n·w**(n−1), not n·w**n.":
                [s, n * w ** n, m * v ** m],
            "the power rule lost its factor n: ∂(w**n)/∂w is n·w**(n−1).":
                [s, w ** (n - 1), v ** (m - 1)],
            "the power rule is off by one: ∂(w**n)/∂w is n·w**(n−1), not n·w**(n+1).":
                [s, n * w ** (n + 1), m * v ** (m + 1)]}


def _reuse_leaf_probe(p):
    """w used twice, l = w·w + w: its grad is the sum over both paths."""
    return _probe("reuse_leaf", p, [
        ("new", "w", p["w"], "kw"), ("op", "t", "*", "w", "w"), ("op", "l", "+", "t", "w"),
        ("backward", "l"), ("record", "l.item()", "l", "value"), ("record", "w.grad", "w", "grad")])


OVERWRITTEN = ("a gradient is overwritten instead of accumulated: a tensor used twice gets "
               "a grad from each use, and they add up. Add into .grad (`+=`), never assign it.")


def _reuse_leaf_bugs(p):
    w = p["w"]
    return {OVERWRITTEN: [w * w + w, w],
            "tensors share one grad object: a rule stored `out.grad` itself "
            "(`self.grad = out.grad`), so adding into one grad changed the others. Give each "
            "tensor its own grad: a new Tensor of zeros the first time, then add into it.":
                [w * w + w, (1 + w) ** 2]}


def _reuse_result_probe(p):
    """A result used twice, l = a·a with a = w·x: the walk must reach a once."""
    return _probe("reuse_result", p, [
        ("new", "w", p["w"], "kw"), ("new", "x", p["x"], "plain"), ("op", "a", "*", "w", "x"),
        ("op", "l", "*", "a", "a"), ("backward", "l"), ("record", "l.item()", "l", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "x.grad", "x", "grad")])


VISITED_TWICE = ("a tensor is visited twice in the walk and passes its grad on each time "
                 "(here a, which l uses twice): keep a set of the tensors already ordered, "
                 "so that each comes once.")


def _reuse_result_bugs(p):
    w, x = p["w"], p["x"]
    a = w * x
    return {VISITED_TWICE: [a * a, 4 * a * x], OVERWRITTEN: [a * a, a * x]}


def _order_probe(p):
    """l = a + a·a with a = c·w: a must pass its grad on only after both uses have given theirs."""
    return _probe("order", p, [
        ("new", "w", p["w"], "kw"), ("op", "a", "*", "w", p["c"]), ("op", "aa", "*", "a", "a"),
        ("op", "l", "+", "a", "aa"), ("backward", "l"), ("record", "l.item()", "l", "value"),
        ("record", "w.grad", "w", "grad")])


def _order_bugs(p):
    w, c = p["w"], p["c"]
    a = c * w
    return {"the walk goes in the wrong order: a passed its grad on before aa had added its "
            "share. Sort the tensors topologically (each after its parents) and walk that "
            "order in reverse.": [a + a * a, c],
            VISITED_TWICE: [a + a * a, 3 * c * (1 + 2 * a)],
            OVERWRITTEN: [a + a * a, c * a]}


def _sub_probe(p):
    """Subtraction and negation, with the number on either side."""
    return _probe("sub", p, [
        ("new", "w", p["w"], "kw"), ("new", "v", p["v"], "kw"), ("new", "u", p["u"], "kw"),
        ("op", "a", "-", p["k"], "w"), ("op", "b", "-", "v", p["k"]), ("op", "c", "neg", "u", None),
        ("backward", "a"), ("backward", "b"), ("backward", "c"),
        ("record", "a.item()", "a", "value"), ("record", "b.item()", "b", "value"),
        ("record", "c.item()", "c", "value"), ("record", "w.grad", "w", "grad"),
        ("record", "v.grad", "v", "grad"), ("record", "u.grad", "u", "grad")])


def _sub_bugs(p):
    w, v, u, k = p["w"], p["v"], p["u"], p["k"]
    return {"`number - tensor` computes tensor − number: `__rsub__(self, other)` is "
            "other − self, not self − other.": [w - k, v - k, -u, 1.0, 1.0, -1.0],
            "`tensor - number` computes number − tensor: `__sub__(self, other)` is "
            "self − other.": [k - w, k - v, -u, -1.0, -1.0, -1.0]}


def _div_probe(p):
    """Division, with the number on either side."""
    return _probe("div", p, [
        ("new", "w", p["w"], "kw"), ("new", "v", p["v"], "kw"),
        ("op", "a", "/", p["k"], "w"), ("op", "b", "/", "v", p["m"]),
        ("backward", "a"), ("backward", "b"),
        ("record", "a.item()", "a", "value"), ("record", "b.item()", "b", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "v.grad", "v", "grad")])


def _div_bugs(p):
    w, v, k, m = p["w"], p["v"], p["k"], p["m"]
    return {"`number / tensor` computes tensor / number: `__rtruediv__(self, other)` is "
            "other / self, not self / other.": [w / k, v / m, 1 / k, 1 / m],
            "`tensor / number` computes number / tensor: `__truediv__(self, other)` is "
            "self / other.": [k / w, m / v, -k / w ** 2, -m / v ** 2]}


def _surface_probe(p):
    """The lecture's loop, one step: .grad, .data, .item(), zero_() as PyTorch has them."""
    x, y = p["x"], p["y"]
    return _probe("surface", p, [
        ("new", "w", [p["w"]], "set"),
        ("record", "w.grad (before any backward)", "w", "grad"),
        ("record", "type(w.item())", "w", "item_type"),
        ("op", "y_hat", "*", x, "w"), ("op", "r", "-", "y_hat", y), ("op", "l", "**", "r", 2),
        ("backward", "l"), ("record", "w.grad", "w", "grad"),
        ("step", "w", p["lr"]), ("record", "w.item()", "w", "value"),
        ("record", "w.requires_grad", "w", "requires_grad"),
        ("zero_grad", "w"), ("record", "w.grad (after w.grad.data.zero_())", "w", "grad"),
        ("op", "y_hat2", "*", x, "w"), ("op", "r2", "-", "y_hat2", y),
        ("op", "l2", "**", "r2", 2), ("backward", "l2"),
        ("record", "w.grad (after the second backward())", "w", "grad"),
        ("view", "d", "w"), ("record", "w.data.requires_grad", "d", "requires_grad"),
        ("zero", "d"), ("record", "w.item() (after d.zero_())", "w", "value"),
        ("assign", "w", [p["w2"]]), ("record", "w.item() (after w.data = ...)", "w", "value")])


def _surface_bugs(p):
    x, y, w, lr, w2 = p["x"], p["y"], p["w"], p["lr"], p["w2"]
    g1 = 2 * x * (x * w - y)
    w_new = w - lr * g1
    g2 = 2 * x * (x * w_new - y)
    return {".data must share its numbers with the tensor, and zero_() must change them in "
            "place: here `w.grad.data.zero_()` left the grad as it was, so it is never "
            "zeroed.": [g1, w_new, g1, g1 + g2, w_new, w2]}


def _accumulate_probe(p):
    """Grads accumulate across backward() calls, and each tensor has a grad of its own."""
    return _probe("accumulate", p, [
        ("new", "a", p["a"], "kw"), ("new", "b", p["b"], "kw"), ("op", "s", "+", "a", "b"),
        ("backward", "s"), ("same_grad", "a.grad is b.grad", "a", "b"),
        ("zero_grad", "a"), ("record", "b.grad (after a.grad.data.zero_())", "b", "grad"),
        ("op", "ta", "*", "a", p["k"]), ("op", "tb", "*", "b", p["m"]),
        ("op", "t", "+", "ta", "tb"), ("backward", "t"),
        ("record", "a.grad", "a", "grad"), ("record", "b.grad", "b", "grad")])


def _accumulate_bugs(p):
    k, m = p["k"], p["m"]
    return {"backward() sets the leaves' grads instead of adding to them: gradients "
            "accumulate across backward() calls, as in PyTorch (which is why the loop zeroes "
            "them after each update).": [1.0, k, m],
            "a.grad and b.grad share their numbers: zeroing one zeroed the other. A rule "
            "stored the incoming grad's array itself; give each tensor a grad of its own "
            "(a new Tensor of zeros the first time, then add into it).": [0.0, k + m, k + m]}


def _twice_probe(p):
    """backward() twice on one loss: leaves get twice the grad, as in PyTorch."""
    return _probe("twice", p, [
        ("new", "w", p["w"], "kw"), ("op", "a", "*", "w", p["c"]), ("op", "l", "*", "a", "a"),
        ("backward", "l"), ("record", "w.grad", "w", "grad"),
        ("backward", "l"), ("record", "w.grad (after the second l.backward())", "w", "grad")])


NOT_ZEROED = ("the grads of intermediate results are never zeroed: a second backward() "
              "passes on the first one's grads again. Results of operations hold only the "
              "current pass's gradient: set their grad to None at the start of backward() "
              "(leaves keep theirs: they accumulate).")


def _twice_bugs(p):
    w, c = p["w"], p["c"]
    g = 2 * c * c * w
    return {NOT_ZEROED: [g, 3 * g], NOT_ZEROED + " Here the output's own grad also grew to 2.":
            [g, 4 * g]}


def _expression_probe(p, script):
    return {"probe": "expression", "params": p, "script": script}


_PROBE_BUGS = {"chain": _chain_bugs, "linear": _linear_bugs, "power": _power_bugs,
               "reuse_leaf": _reuse_leaf_bugs, "reuse_result": _reuse_result_bugs,
               "order": _order_bugs, "sub": _sub_bugs, "div": _div_bugs,
               "surface": _surface_bugs, "accumulate": _accumulate_bugs, "twice": _twice_bugs}

# A longer expression with every operation, tensors and numbers on both sides.
_VISIBLE_EXPRESSION = [
    ("new", "w", 1.5, "kw"), ("new", "x", 2.0, "kw"), ("new", "y", 4.0, "plain"),
    ("op", "t1", "*", "w", "x"), ("op", "t2", "-", "t1", "y"), ("op", "t3", "**", "t2", 2),
    ("op", "t4", "+", "w", 1.0), ("op", "t5", "/", "t3", "t4"), ("op", "t6", "/", 2.0, "x"),
    ("op", "t7", "-", "t5", "t6"), ("op", "t8", "neg", "w", None), ("op", "t9", "*", "t8", "x"),
    ("op", "out", "-", "t7", "t9"), ("op", "out2", "*", 0.5, "out"), ("backward", "out2"),
    ("record", "out2.item()", "out2", "value"), ("record", "w.grad", "w", "grad"),
    ("record", "x.grad", "x", "grad"), ("record", "y.grad", "y", "grad")]


def _random_expression(rng):
    """A random expression over two or three leaves, with shared results (hidden data).

    Results that nothing else uses are added into the output, so every
    operation drawn is part of the graph.
    """
    leaves = ["a", "b", "c"][:int(rng.integers(2, 4))]
    script = [("new", name, round(float(rng.uniform(0.5, 2.5)) * float(rng.choice([-1, 1])), 2),
               "plain" if i == len(leaves) - 1 and rng.random() < 0.3 else "kw")
              for i, name in enumerate(leaves)]
    names, size = list(leaves), len(leaves) + int(rng.integers(4, 8))
    while len(names) < size:
        statement = _random_operation(rng, names, f"t{len(names) - len(leaves) + 1}")
        if _acceptable(script, statement):
            script.append(statement)
            names.append(statement[1])
    used = {x for s in script if s[0] == "op" for x in s[3:5] if type(x) is str}
    out, *dangling = [name for name in reversed(names[len(leaves):]) if name not in used]
    if not _simulate(script, nodes=True)[out]["d"]:
        dangling.append(leaves[0])  # only numbers so far: times a leaf that requires grad
    for number, other in enumerate(dangling):
        script.append(("op", f"s{number + 1}", "+" if other != leaves[0] else "*", out, other))
        out = f"s{number + 1}"
    script.append(("op", "out", "*", 1.0, out))
    return script + [("backward", "out"), ("record", "out.item()", "out", "value")] + [
        ("record", f"{leaf}.grad", leaf, "grad") for leaf in leaves]


def _random_operation(rng, names, name):
    """One operation on earlier results (recent ones more often) and numbers."""
    def pick():
        if rng.random() < 0.7:
            return names[-1 - int(rng.integers(0, min(3, len(names))))]
        return names[int(rng.integers(0, len(names)))]

    number = round(float(rng.uniform(0.5, 3.0)) * float(rng.choice([-1, 1])), 2)
    op = str(rng.choice(["+", "-", "*", "/", "**", "neg", "r+", "r-", "r*", "r/"]))
    if op == "**":
        return ("op", name, "**", pick(), int(rng.choice([2, 3, -1])))
    if op == "neg":
        return ("op", name, "neg", pick(), None)
    if op.startswith("r"):
        return ("op", name, op[1], number, pick())
    return ("op", name, op, pick(), pick() if rng.random() < 0.6 else number)


def _acceptable(script, statement):
    """No division by a number near 0, no huge values or gradients: a fair test."""
    _, name, op, a, b = statement
    nodes = _simulate(script, nodes=True)

    def value(x):
        return float(x) if type(x) is not str else _simulate(
            script + [("record", "v", x, "value")])[-1][1]

    if op == "/" and abs(value(b)) < 0.3 or op == "**" and b < 0 and abs(value(a)) < 0.3:
        return False
    result, d = _derivative(op, *((value(x), nodes[x]["d"] if type(x) is str else {})
                                  for x in (a, b if b is not None else 0.0)))
    return abs(result) < 50 and all(abs(v) < 500 for v in d.values())


def _tensor_cases(seed):
    if seed is None:
        return [
            _chain_probe({"x": 2.0, "w": 3.0, "g": 5.0}),
            _linear_probe({"x": 1.0, "w": 1.0, "y": 2.0}),
            _power_probe({"w": 2.0, "v": 4.0, "n": 3, "m": 0.5}),
            _reuse_leaf_probe({"w": 3.0}),
            _reuse_result_probe({"w": 3.0, "x": 2.0}),
            _order_probe({"w": 3.0, "c": 2.0}),
            _sub_probe({"w": 5.0, "v": 5.0, "u": 2.0, "k": 3.0}),
            _div_probe({"w": 2.0, "v": 2.0, "k": 6.0, "m": 4.0}),
            _expression_probe({}, _VISIBLE_EXPRESSION),
            _surface_probe({"w": 1.0, "x": 3.0, "y": 5.0, "lr": 0.01, "w2": 2.0}),
            _accumulate_probe({"a": 1.0, "b": 2.0, "k": 5.0, "m": 3.0}),
            _twice_probe({"w": 2.0, "c": 3.0}),
        ]
    rng = np.random.default_rng(seed)

    def number(low=0.5, high=3.0, signed=True):
        sign = float(rng.choice([-1, 1])) if signed else 1.0
        return round(float(rng.uniform(low, high)) * sign, 2)

    cases = [
        _chain_probe({"x": number(), "w": number(), "g": number()}),
        _linear_probe({"x": number(), "w": number(), "y": number()}),
        _power_probe({"w": number(signed=False), "v": number(signed=False),
                      "n": int(rng.integers(2, 5)), "m": float(rng.choice([-1.0, 0.5, 1.5]))}),
        _reuse_leaf_probe({"w": number()}),
        _reuse_result_probe({"w": number(), "x": number()}),
        _order_probe({"w": number(), "c": number()}),
        _sub_probe({"w": number(), "v": number(), "u": number(), "k": number()}),
        _div_probe({"w": number(), "v": number(), "k": number(), "m": number()}),
        _surface_probe({"w": number(), "x": number(), "y": number(),
                        "lr": number(0.001, 0.02, signed=False), "w2": number()}),
        _accumulate_probe({"a": number(), "b": number(), "k": number(), "m": number()}),
        _twice_probe({"w": number(), "c": number()}),
    ]
    while len(cases) < 14:
        cases.append(_expression_probe({}, _random_expression(rng)))
    return cases


Tensor = Exercise(
    name="Tensor", points=6, cases=_tensor_cases, run=_tensor_run, judge=_tensor_judge,
    hidden_seeds=(40_321, 40_322), expected=_expected_numbers, bugs=_tensor_bugs,
    summary="Tensor computes values and gradients as PyTorch does: rules, walk, accumulation")


# ------------------------------------------------------------------ quadratic_gradients


def _quadratic_cases(seed):
    if seed is None:
        return [
            {"args": {"x": 3.0, "y": 5.0, "w1": 0.5, "w2": -1.0, "b": 2.0}, "keywords": True},
            {"args": {"x": 1.0, "y": 2.0, "w1": 1.0, "w2": 1.0, "b": 1.0}},
            {"args": {"x": 2.0, "y": 4.0, "w1": 0.98, "w2": 0.98, "b": 0.98}},
        ]
    rng = np.random.default_rng(seed)
    return [{"args": {name: round(float(rng.uniform(-3.0, 3.0)), 3)
                      for name in ("x", "y", "w1", "w2", "b")}, "keywords": bool(i)}
            for i in range(2)]


def _quadratic_call(case):
    args = case["args"]
    if case.get("keywords"):
        return "quadratic_gradients(" + ", ".join(f"{k}={v!r}" for k, v in args.items()) + ")"
    return "quadratic_gradients(" + ", ".join(repr(v) for v in args.values()) + ")"


def _quadratic_expected(case):
    x, y, w1, w2, b = case["args"].values()
    r = w1 * x ** 2 + w2 * x + b - y
    return np.array([2 * r * x ** 2, 2 * r * x, 2 * r])


def _quadratic_bugs(case):
    x, y, w1, w2, b = case["args"].values()
    r = w1 * x ** 2 + w2 * x + b - y
    r_without_b = r - b
    return {"∂ŷ/∂w1 is x² and ∂ŷ/∂w2 is x: yours are the other way round.":
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


def _quadratic_run(quadratic_gradients, case):
    if case.get("keywords"):
        return call(quadratic_gradients, **case["args"])
    return call(quadratic_gradients, *case["args"].values())


def _numbers(value, count, text, what):
    """``value`` as ``count`` floats, else a failure that says what came back (judging half)."""
    if value is None:
        raise Fail(f"{text} returned None: is the `return` statement missing?")
    items = (list(value) if type(value) in (tuple, list)
             else value.tolist() if type(value) is np.ndarray and value.ndim == 1 else None)
    if items is None or len(items) != count:
        raise Fail(f"{text} returned {describe(value)}, expected {what}.")
    for item in items:
        if type(item) is Opaque and "Tensor" in item.type_name:
            raise Fail(f"{text} returned a tuple holding a {item.type_name}; return plain "
                       "numbers: take a tensor's number out with `.item()`.")
        if _plain_number(item) is None:
            raise Fail(f"{text} returned a tuple holding {describe(item)}, expected {what}.")
        if type(item) is np.ndarray:
            raise Fail(f"{text} returned a tuple holding {describe(item)}; return plain "
                       "numbers (floats): take them out with `.item()` or `float(...)`.")
    return np.array([_plain_number(item) for item in items])


def _quadratic_judge(case, observed):
    text = _quadratic_call(case)
    if "error" in observed:
        raise Fail(raised(text, observed["error"], "quadratic_gradients"))
    actual = _numbers(observed["value"], 3, text, "a tuple (dloss_dw1, dloss_dw2, dloss_db)")
    expected = _quadratic_expected(case)
    if not _close(actual, expected, rtol=1e-8):
        raise Fail(f"{text} returned {show(actual)}, expected {show(expected)}."
                   + likely(actual, {bug: np.array(value) for bug, value
                                     in _quadratic_bugs(case).items()}, _close))


quadratic_gradients = Exercise(
    name="quadratic_gradients", points=2, cases=_quadratic_cases, run=_quadratic_run,
    judge=_quadratic_judge, hidden_seeds=(40_421, 40_422), expected=_quadratic_expected,
    bugs=lambda case: {bug: np.array(value) for bug, value in _quadratic_bugs(case).items()},
    summary="quadratic_gradients returns homework 4-3's (dloss_dw1, dloss_dw2, dloss_db)")


# ------------------------------------------------------------------ train_quadratic


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


class _BackwardCounter:
    """Counts the backward() calls of the notebook's Tensor while a function runs.

    The class's ``backward`` is wrapped for that time, so every tensor counts,
    however the engine creates its results.
    """

    def __init__(self, fn):
        self.cls = getattr(fn, "__globals__", {}).get("Tensor")
        self.count = None

    def __enter__(self):
        original = getattr(self.cls, "backward", None) if isinstance(self.cls, type) else None
        if not callable(original):
            return self
        counter = self

        def backward(tensor, *args, **kwargs):
            counter.count += 1
            return original(tensor, *args, **kwargs)

        try:
            self.saved = self.cls.__dict__.get("backward")
            self.cls.backward = backward
        except (AttributeError, TypeError):  # a class that cannot be changed: count nothing
            return self
        self.count = 0
        return self

    def __exit__(self, *exc):
        if self.count is None:
            return
        if self.saved is None:
            del self.cls.backward
        else:
            self.cls.backward = self.saved


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


def _train_cases(seed):
    if seed is None:
        return [
            {"args": ([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]), "kwargs": {},
             "call": "train_quadratic(x=[1.0, 2.0, 3.0], y=[2.0, 4.0, 6.0])"},
            {"args": (np.array([0.5, 1.0, 1.5, 2.0]), np.array([1.0, 2.5, 3.0, 5.5])),
             "kwargs": {"lr": 0.02, "epochs": 3},
             "call": "train_quadratic(x=np.array([0.5, 1.0, 1.5, 2.0]), "
                     "y=np.array([1.0, 2.5, 3.0, 5.5]), lr=0.02, epochs=3)"},
        ]
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 6))
    x = np.round(rng.uniform(-2.0, 2.0, n), 2)
    y = np.round(0.5 * x ** 2 - x + 1.0 + rng.normal(0.0, 0.3, n), 2)
    lr, epochs = round(float(rng.uniform(0.005, 0.015)), 4), int(rng.integers(5, 30))
    return [{"args": (x, y, lr, epochs), "kwargs": {},
             "call": f"train_quadratic(x, y, {lr}, {epochs}) on hidden data of {n} samples"}]


def _train_expected(case):
    return _sgd(*_train_inputs(case))


def _train_bugs(case):
    x, y, lr, epochs = _train_inputs(case)
    return {"the grads are never zeroed, so they add up over the samples: call "
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
            "one epoch is missing: `for epoch in range(epochs)`.": _sgd(x, y, lr, epochs - 1)}


def _train_run(train_quadratic, case):
    """Running half: the learner's Tensor on its own visible cases, then ``train_quadratic``
    twice, with that Tensor and with the stand-in. The judge decides which call counts
    (:func:`_chosen`), so that decision is not made where the learner's code runs."""
    learner_tensor = getattr(train_quadratic, "__globals__", {}).get("Tensor")
    observed = {"tensor": None if learner_tensor is None else Tensor.observe(learner_tensor)}
    runs = (("own", {}), ("stand_in", {"Tensor": _StandInTensor}))
    if observed["tensor"] and "error" in observed["tensor"][0]:
        # The learner's Tensor ran out of time, so it fails its check and the stand-in's
        # call counts: the learner's would only cost the time limit once more.
        observed["own"] = {**observed["tensor"][0], "changed": [], "backward_calls": None}
        runs = runs[1:]
    for key, replacements in runs:
        # A wrong engine may well diverge: its overflow is its result, not a warning to show.
        with helpers_in_place(train_quadratic, replacements), np.errstate(all="ignore"):
            with _BackwardCounter(train_quadratic) as counter:
                observed[key] = call(train_quadratic, *case["args"], **case["kwargs"])
        observed[key]["backward_calls"] = counter.count
    return observed


def _chosen(observed):
    """The call that counts: with the learner's Tensor when it passes its own visible check,
    else with the stand-in, noting the replacement (judging half)."""
    wrong = observed["tensor"] is not None and not Tensor.verdict(observed["tensor"]).passed
    chosen = dict(observed["stand_in"] if wrong else observed["own"])
    chosen["replaced"] = ["Tensor"] if wrong else []
    return chosen


def _train_judge(case, observed):
    observed, text = _chosen(observed), case["call"]
    if "error" in observed:
        raise Fail(raised(text, observed["error"], "train_quadratic") + replaced_note(observed))
    if observed["changed"]:
        raise Fail(f"{text} changed its input x or y in place: leave the data as it is.")
    actual = _numbers(observed["value"], 3, text, "a tuple (w1, w2, b) of floats")
    expected = _train_expected(case)
    if not _close(actual, expected):
        hint = (FLOAT32_HINT if _float32_close(actual, expected)
                else likely(actual, _train_bugs(case), _close))
        raise Fail(f"{text} returned (w1, w2, b) = {show(actual)}, expected {show(expected)}."
                   + hint + replaced_note(observed))
    if observed["backward_calls"] == 0:
        raise Fail(f"{text} gives the right weights but never calls backward(): homework 4-4 "
                   "lets your Tensor compute the gradients (`l.backward()`), not a formula.")


train_quadratic = Exercise(
    name="train_quadratic", points=3, cases=_train_cases, run=_train_run, judge=_train_judge,
    hidden_seeds=(40_521, 40_522), expected=_train_expected, bugs=_train_bugs,
    summary="train_quadratic trains ŷ = w1·x² + w2·x + b by SGD with your Tensor")

EXERCISES = (dloss_dw_4_1, grads_4_2, Tensor, quadratic_gradients, train_quadratic)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]

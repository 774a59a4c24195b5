"""Chapter 4 (back-propagation): its exercises, declared once.

The test cells call them: ``cu.checks.ch04.Tensor(Tensor)``; the hidden tests
``cu.checks.ch04.Tensor(Tensor, hidden=True)``. ``dloss_dw_4_1`` and
``grads_4_2`` are answers by hand, values rather than functions: their
checks take the value itself and never show the right answer, only what is
wrong with the one given (its type, its sign, a missing factor).

The engine's check runs short **scripts** (plain data: "make w, compute
``z = x * w``, call ``z.backward()``, read ``w.grad``") with the learner's
``Tensor`` and hands back the numbers it read. The grader's key
(``grading/keys/ch04.py``) knows every value and gradient a script should
read. The visible scripts are the lecture's examples and small graphs built
so that each typical bug gives its own numbers; the hidden ones are the same
graphs with other numbers and random expressions drawn from the seed.

``train_quadratic`` uses the learner's ``Tensor``. If that fails its own
check, the grader checks ``train_quadratic`` with a correct stand-in in its
place, so a bug in the engine costs only the engine's points.
"""
import numpy as np

from .core import (TIMED_OUT, call, declare, describe, Exercise, Fail, likely, not_implemented,
                   Opaque, raised, show, to_plain)

CHAPTER = "04_backprop"
RTOL, ATOL = 1e-9, 1e-9  # float64 throughout: a float32 engine is told so


def _close(actual, expected, rtol=RTOL, atol=ATOL):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=rtol, atol=atol)


def _float32_close(actual, expected):
    """Right to about float32 precision but not to float64's."""
    return _close(actual, expected, rtol=1e-4, atol=1e-6) and not _close(actual, expected)


FLOAT32_HINT = ("the numbers agree only to about 7 digits, float32 precision: compute in "
                "float64 (`dtype=float`), as this chapter does.")


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
    case = {"x": 2.0, "y": 4.0, "w": 1.0, "call": "dloss_dw_4_1"}
    return [case if seed is None else {**case, "round": "hidden"}]


def _loose(a, b):
    return _close(a, b, rtol=1e-6)


def _answer_1_judge(case, observed, answer):
    name, what = "dloss_dw_4_1", "one number"
    problem = _answer_type_problem(name, observed, what)
    if problem:
        raise Fail(problem, reason=f"{name} is not {what}")
    value = _plain_number(observed["value"])
    if value is None:
        raise Fail(f"{name} is {describe(observed['value'])}; the answer is one number.",
                   reason=f"{name} is not {what}")
    if not _loose(value, answer["expected"]):
        raise Fail(f"{name} = {show(value)} is not ∂loss/∂w for ŷ = x·w at x = 2, y = 4, w = 1. "
                   "Walk the graph backward: ∂loss/∂w = ∂loss/∂r · ∂r/∂ŷ · ∂ŷ/∂w.",
                   reason=f"{name} is not ∂loss/∂w", bug=likely(value, answer["bugs"], _loose))


dloss_dw_4_1 = Exercise(
    name="dloss_dw_4_1", points=1, cases=_answer_1_cases, run=_answer_run,
    judge=_answer_1_judge, hidden_seeds=(40_121,),
    summary="dloss_dw_4_1 is homework 4-1's ∂loss/∂w, one number")


def _answer_2_cases(seed):
    case = {"x": 1.0, "w": 1.0, "b": 2.0, "y": 2.0, "call": "grads_4_2"}
    return [case if seed is None else {**case, "round": "hidden"}]


def _answer_2_judge(case, observed, answer):
    name, what = "grads_4_2", "a tuple of two numbers, (dloss_dw, dloss_db)"
    problem = _answer_type_problem(name, observed, what)
    if problem:
        raise Fail(problem, reason=f"{name} is not {what}")
    value = observed["value"]
    items = (list(value) if type(value) in (tuple, list)
             else value.ravel().tolist() if type(value) is np.ndarray else None)
    if items is None or len(items) != 2:
        raise Fail(f"{name} is {describe(value)}; the answer is {what}.",
                   reason=f"{name} is not {what}")
    if any(type(item) is Opaque for item in items):
        raise Fail(f"{name} holds {describe(next(i for i in items if type(i) is Opaque))}; "
                   "it should hold plain numbers: take a tensor's number out with `.item()`.",
                   reason=f"{name} does not hold plain numbers")
    numbers = [_plain_number(item) for item in items]
    if None in numbers:
        raise Fail(f"{name} holds {describe(items[numbers.index(None)])}; {what} expected.",
                   reason=f"{name} is not {what}")
    right = [_loose(a, e) for a, e in zip(numbers, answer["expected"])]
    if not all(right):
        which = ("dloss_dw is right, dloss_db is not" if right[0] else
                 "dloss_db is right, dloss_dw is not" if right[1] else "both are wrong")
        raise Fail(f"{name} = ({numbers[0]!r}, {numbers[1]!r}): {which} (ŷ = x·w + b at x = 1, "
                   "w = 1, b = 2, y = 2). Walk the graph backward through r = ŷ − y and loss = r².",
                   reason=f"{name}: {which}", bug=likely(numbers, answer["bugs"], _loose))


grads_4_2 = Exercise(
    name="grads_4_2", points=2, cases=_answer_2_cases, run=_answer_run,
    judge=_answer_2_judge, hidden_seeds=(40_221,),
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


NONE_HINT = ("a tensor passed its grad on before it had one: does backward() give the output "
             "the grad 1 first, then walk the tensors in reverse topological order (the "
             "output first, each tensor after every tensor computed from it)?")
RECURSION_HINT = ("an operator calls itself: e.g. `__rsub__` returning `other - self` with "
                  "`other` a number runs `__rsub__` again. Build it from the primitives "
                  "instead: `-self + other`.")


def _stopped(case, observed):
    """The :class:`Fail` of a script that stopped on an error."""
    stopped = observed["stopped"]
    step, error = stopped["step"], stopped["error"]
    code = _code(case["script"], step + 1)
    where = f"In\n{code}\n"
    if error["type"] == "NotImplementedError":
        return Fail(not_implemented("Tensor") + " The first part still missing is reached by "
                    f"`{_statement_text(case['script'][step])}` in\n{code}",
                    reason="Tensor is not implemented yet")
    if error["type"] == "_NotATensor":
        return Fail(f"{where}{error['message']}: every operation must return a new Tensor "
                    "(build it with `self._result(...)`, as the given code does).",
                    reason="an operation did not return a Tensor")
    if error["type"] == "RecursionError":
        return Fail(f"{where}this raised RecursionError: {error['message']}",
                    reason="it raised RecursionError", bug=RECURSION_HINT)
    failure = raised(f"{where}the last line", error, "Tensor")
    if case["script"][step][0] == "backward" and "NoneType" in error["message"]:
        failure.bug = NONE_HINT
    elif "has no attribute 'value'" in error["message"]:
        failure.bug = ("a grad that is not a Tensor: `_accumulate` must keep self.grad a "
                       "Tensor, since the rules read `out.grad.value`.")
    return failure


def _tensor_judge(case, observed, answer):
    if "not_a_class" in observed:
        raise Fail(f"Tensor is {observed['not_a_class']}, not a class (Tensor(2.0) gave "
                   f"{observed['made']}): define it with `class Tensor:` as the cell does.",
                   reason="Tensor is not a class")
    records = observed["records"]
    record_steps = [i for i, statement in enumerate(case["script"])
                    if statement[0] in ("record", "same_grad")]
    for index, ((label, want), got) in enumerate(zip(answer["records"], records)):
        code = _code(case["script"], record_steps[index])
        _judge_record(case, label, want, got, f"After\n{code}\n", observed, answer)
    if observed["stopped"]:
        raise _stopped(case, observed)


def _judge_record(case, label, want, got, where, observed, answer):
    value = got["value"]
    if got.get("not_tensor"):
        raise Fail(f"{where}{label} is {describe(value)}, expected a Tensor: .grad holds a "
                   "Tensor, as in PyTorch (the lecture's loop reads `w.grad.data` and "
                   "`w.grad.item()`).", reason="a .grad is not a Tensor")
    if want is None:
        if value is not None:
            raise Fail(f"{where}{label} is {show(value)}, expected None: only tensors made with "
                       "requires_grad=True (and results computed from them) get a grad, and "
                       "only once backward() has reached them, as in PyTorch.",
                       reason="a tensor that should have no grad has one")
        return
    if type(want) is bool:
        if value is not want:
            raise Fail(f"{where}{label} is {show(value) if value is not None else 'None'}, "
                       f"expected {want}.", reason=f"{label} is not {want}",
                       bug=_FACT_HINTS.get((label, want), ""))
        return
    if type(want) is str:
        if value != want:
            raise Fail(f"{where}{label} is {value}, expected float: item() gives the single "
                       "number as a Python float, as in PyTorch.",
                       reason="item() does not give a Python float")
        return
    if value is None:
        raise Fail(f"{where}{label} is None, expected {show(want)}: backward() never "
                   "reached it, or never added to its grad.",
                   reason=f"{label} is None: backward() never reached it")
    number = _plain_number(value)
    if number is None:
        raise Fail(f"{where}{label} is {describe(value)}, expected the number {show(want)}.",
                   reason=f"{label} is not a number")
    numbers = answer["numbers"]
    scale = float(np.max(np.abs(numbers))) if numbers.size else 1.0
    if _close(number, want, atol=ATOL * (1 + scale)):
        return
    bug = FLOAT32_HINT if _float32_close(number, want) else _record_hint(label, observed, answer)
    measured = answer["finite_differences"].get(label.removesuffix(".grad")) \
        if label.endswith(".grad") else None
    finite = f" (finite differences give ≈ {measured:.6g})" if measured is not None else ""
    raise Fail(f"{where}{label} is {show(number)}, expected {show(want)}.{finite}",
               reason=f"{label} is wrong", bug=bug)


def _record_hint(label, observed, answer):
    """The likely bug, from the numbers read so far compared with each bug's."""
    expected = answer["numbers"]
    read = [_plain_number(record["value"])
            for record, (_, want) in zip(observed["records"], answer["records"])
            if type(want) is float]
    actual = np.full(len(expected), np.nan)  # NaN: not read, or not a number
    actual[:len(read)] = [np.nan if number is None else number for number in read]
    bug = likely(actual, answer["bugs"], _close_where_known)
    if bug or not label.endswith(".grad"):
        return bug
    known = ~np.isnan(actual)
    with np.errstate(all="ignore"):
        ratios = actual[known] / np.where(expected[known] == 0, np.nan, expected[known])
    if any(np.isclose(ratios, k) for k in (2.0, 3.0, 4.0)):
        return ("a gradient counted more than once: a tensor visited twice in the walk (keep a "
                "set of the tensors already ordered) or added twice in a rule.")
    return ""


def _close_where_known(actual, expected):
    """Compare only the numbers read before the check stopped."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    known = ~np.isnan(actual)
    return (actual.shape == expected.shape and known.any()
            and np.allclose(actual[known], expected[known], rtol=RTOL, atol=ATOL))


_FACT_HINTS = {
    ("w.data.requires_grad", False): (
        ".data is the same numbers without history: a Tensor that does not require grad, so "
        "that the update `w.data = w.data - lr * w.grad.data` is not recorded in the graph."),
    ("a.grad is b.grad", False): (
        "two tensors share one grad object, so adding into one changes the other: a rule "
        "stored `out.grad` itself (`self.grad = out.grad`). Give each tensor its own grad: "
        "create a new Tensor the first time, then add into it."),
    ("w.requires_grad", True): (
        "assigning w.data must change only the numbers; w still requires grad."),
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


def _linear_probe(p):
    """The lecture's graph of the linear model: ŷ = x·w, loss = (ŷ − y)², w made as in its loop."""
    return _probe("linear", p, [
        ("new", "w", [p["w"]], "set"), ("op", "y_hat", "*", p["x"], "w"),
        ("op", "r", "-", "y_hat", p["y"]), ("op", "l", "**", "r", 2), ("backward", "l"),
        ("record", "l.item()", "l", "value"), ("record", "w.grad", "w", "grad")])


def _power_probe(p):
    return _probe("power", p, [
        ("new", "w", p["w"], "kw"), ("new", "v", p["v"], "kw"),
        ("op", "p", "**", "w", p["n"]), ("op", "q", "**", "v", p["m"]),
        ("op", "s", "+", "p", "q"), ("backward", "s"),
        ("record", "s.item()", "s", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "v.grad", "v", "grad")])


def _reuse_leaf_probe(p):
    """w used twice, l = w·w + w: its grad is the sum over both paths."""
    return _probe("reuse_leaf", p, [
        ("new", "w", p["w"], "kw"), ("op", "t", "*", "w", "w"), ("op", "l", "+", "t", "w"),
        ("backward", "l"), ("record", "l.item()", "l", "value"), ("record", "w.grad", "w", "grad")])


def _reuse_result_probe(p):
    """A result used twice, l = a·a with a = w·x: the walk must reach a once."""
    return _probe("reuse_result", p, [
        ("new", "w", p["w"], "kw"), ("new", "x", p["x"], "plain"), ("op", "a", "*", "w", "x"),
        ("op", "l", "*", "a", "a"), ("backward", "l"), ("record", "l.item()", "l", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "x.grad", "x", "grad")])


def _order_probe(p):
    """l = a + a·a with a = c·w: a must pass its grad on only after both uses have given theirs."""
    return _probe("order", p, [
        ("new", "w", p["w"], "kw"), ("op", "a", "*", "w", p["c"]), ("op", "aa", "*", "a", "a"),
        ("op", "l", "+", "a", "aa"), ("backward", "l"), ("record", "l.item()", "l", "value"),
        ("record", "w.grad", "w", "grad")])


def _sub_probe(p):
    """Subtraction and negation, with the number on either side."""
    return _probe("sub", p, [
        ("new", "w", p["w"], "kw"), ("new", "v", p["v"], "kw"), ("new", "u", p["u"], "kw"),
        ("op", "a", "-", p["k"], "w"), ("op", "b", "-", "v", p["k"]), ("op", "c", "neg", "u", None),
        ("backward", "a"), ("backward", "b"), ("backward", "c"),
        ("record", "a.item()", "a", "value"), ("record", "b.item()", "b", "value"),
        ("record", "c.item()", "c", "value"), ("record", "w.grad", "w", "grad"),
        ("record", "v.grad", "v", "grad"), ("record", "u.grad", "u", "grad")])


def _div_probe(p):
    """Division, with the number on either side."""
    return _probe("div", p, [
        ("new", "w", p["w"], "kw"), ("new", "v", p["v"], "kw"),
        ("op", "a", "/", p["k"], "w"), ("op", "b", "/", "v", p["m"]),
        ("backward", "a"), ("backward", "b"),
        ("record", "a.item()", "a", "value"), ("record", "b.item()", "b", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "v.grad", "v", "grad")])


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


def _accumulate_probe(p):
    """Grads accumulate across backward() calls, and each tensor has a grad of its own."""
    return _probe("accumulate", p, [
        ("new", "a", p["a"], "kw"), ("new", "b", p["b"], "kw"), ("op", "s", "+", "a", "b"),
        ("backward", "s"), ("same_grad", "a.grad is b.grad", "a", "b"),
        ("zero_grad", "a"), ("record", "b.grad (after a.grad.data.zero_())", "b", "grad"),
        ("op", "ta", "*", "a", p["k"]), ("op", "tb", "*", "b", p["m"]),
        ("op", "t", "+", "ta", "tb"), ("backward", "t"),
        ("record", "a.grad", "a", "grad"), ("record", "b.grad", "b", "grad")])


def _twice_probe(p):
    """backward() twice on one loss: leaves get twice the grad, as in PyTorch."""
    return _probe("twice", p, [
        ("new", "w", p["w"], "kw"), ("op", "a", "*", "w", p["c"]), ("op", "l", "*", "a", "a"),
        ("backward", "l"), ("record", "w.grad", "w", "grad"),
        ("backward", "l"), ("record", "w.grad (after the second l.backward())", "w", "grad")])


def _expression_probe(p, script):
    return {"probe": "expression", "params": p, "script": script}


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
    if not _forward(script)[out][1]:
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


_FORWARD = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
            "/": lambda a, b: a / b, "**": lambda a, b: a ** b, "neg": lambda a, b: -a}


def _forward(script):
    """``{name: (value, requires grad)}`` of a script's tensors: the forward pass alone."""
    tensors = {}
    for kind, *rest in script:
        if kind == "new":
            name, data, how = rest
            tensors[name] = (float(np.ravel(data)[0]), how != "plain")
        elif kind == "op":
            name, op, a, b = rest
            (va, ga), (vb, gb) = (tensors[x] if type(x) is str else (float(x or 0.0), False)
                                  for x in (a, b))
            tensors[name] = (_FORWARD[op](va, vb), ga or gb)
    return tensors


def _acceptable(script, statement):
    """No division by a number near 0, no huge values: a fair test."""
    _, name, op, a, b = statement
    values = {key: value for key, (value, _) in _forward(script).items()}

    def value(x):
        return values[x] if type(x) is str else float(x)

    if op == "/" and abs(value(b)) < 0.3 or op == "**" and b < 0 and abs(value(a)) < 0.3:
        return False
    if op == "**" and abs(value(a)) > 4:
        return False
    with np.errstate(all="ignore"):
        result = _FORWARD[op](value(a), value(b) if b is not None else 0.0)
    return abs(result) < 50


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
    for case in cases:
        case["call"] = f"Tensor on a hidden {case['probe']} graph"
    return cases


Tensor = Exercise(
    name="Tensor", points=6, cases=_tensor_cases, run=_tensor_run, judge=_tensor_judge,
    hidden_seeds=(40_321, 40_322),
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
                      for name in ("x", "y", "w1", "w2", "b")}, "keywords": bool(i),
             "call": "quadratic_gradients(x, y, w1, w2, b) on hidden numbers"}
            for i in range(2)]


def _quadratic_call(case):
    if "call" in case:
        return case["call"]
    args = case["args"]
    if case.get("keywords"):
        return "quadratic_gradients(" + ", ".join(f"{k}={v!r}" for k, v in args.items()) + ")"
    return "quadratic_gradients(" + ", ".join(repr(v) for v in args.values()) + ")"


def _quadratic_run(quadratic_gradients, case):
    if case.get("keywords"):
        return call(quadratic_gradients, **case["args"])
    return call(quadratic_gradients, *case["args"].values())


def _numbers(value, count, text, what):
    """``value`` as ``count`` floats, else a failure that says what came back (judging half)."""
    if value is None:
        raise Fail(f"{text} returned None: is the `return` statement missing?",
                   reason="it returned None")
    items = (list(value) if type(value) in (tuple, list)
             else value.tolist() if type(value) is np.ndarray and value.ndim == 1 else None)
    if items is None or len(items) != count:
        raise Fail(f"{text} returned {describe(value)}, expected {what}.",
                   reason=f"it did not return {what}")
    for item in items:
        if type(item) is Opaque and "Tensor" in item.type_name:
            raise Fail(f"{text} returned a tuple holding a {item.type_name}; return plain "
                       "numbers: take a tensor's number out with `.item()`.",
                       reason="it returned tensors, not plain numbers")
        if _plain_number(item) is None:
            raise Fail(f"{text} returned a tuple holding {describe(item)}, expected {what}.",
                       reason=f"it did not return {what}")
        if type(item) is np.ndarray:
            raise Fail(f"{text} returned a tuple holding {describe(item)}; return plain "
                       "numbers (floats): take them out with `.item()` or `float(...)`.",
                       reason="it returned arrays, not plain numbers")
    return np.array([_plain_number(item) for item in items])


def _quadratic_judge(case, observed, answer):
    text = _quadratic_call(case)
    if "error" in observed:
        raise raised(text, observed["error"], "quadratic_gradients")
    actual = _numbers(observed["value"], 3, text, "a tuple (dloss_dw1, dloss_dw2, dloss_db)")
    expected = answer["expected"]
    if not _close(actual, expected, rtol=1e-8):
        raise Fail(f"{text} returned {show(actual)}, expected {show(expected)}.",
                   bug=likely(actual, answer["bugs"], _close))


quadratic_gradients = Exercise(
    name="quadratic_gradients", points=2, cases=_quadratic_cases, run=_quadratic_run,
    judge=_quadratic_judge, hidden_seeds=(40_421, 40_422),
    summary="quadratic_gradients returns homework 4-3's (dloss_dw1, dloss_dw2, dloss_db)")


# ------------------------------------------------------------------ train_quadratic


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
             "call": "train_quadratic(x, y, lr, epochs) on hidden data"}]


def _train_run(train_quadratic, case):
    # A wrong engine may well diverge: its overflow is its result, not a warning to show.
    with np.errstate(all="ignore"), _BackwardCounter(train_quadratic) as counter:
        observed = call(train_quadratic, *case["args"], **case["kwargs"])
    observed["backward_calls"] = counter.count
    return observed


def _train_judge(case, observed, answer):
    text = case["call"]
    if "error" in observed:
        raise raised(text, observed["error"], "train_quadratic")
    actual = _numbers(observed["value"], 3, text, "a tuple (w1, w2, b) of floats")
    expected = answer["expected"]
    if not _close(actual, expected):
        bug = (FLOAT32_HINT if _float32_close(actual, expected)
               else likely(actual, answer["bugs"], _close))
        raise Fail(f"{text} returned (w1, w2, b) = {show(actual)}, expected {show(expected)}.",
                   reason="the weights are wrong", bug=bug)
    if observed.get("backward_calls") == 0:
        return (f"Note: {text} gives the right weights but seems never to call backward(): "
                "homework 4-4 lets your Tensor compute the gradients (`l.backward()`), not a "
                "formula.")
    return None


train_quadratic = Exercise(
    name="train_quadratic", points=3, cases=_train_cases, run=_train_run, judge=_train_judge,
    inputs=("x", "y"),
    hidden_seeds=(40_521, 40_522), uses=(Tensor,),
    summary="train_quadratic trains ŷ = w1·x² + w2·x + b by SGD with your Tensor")

EXERCISES = declare(CHAPTER, dloss_dw_4_1, grads_4_2, Tensor, quadratic_gradients,
                    train_quadratic)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]

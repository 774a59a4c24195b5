"""Chapter 4 (back-propagation): its exercises, declared once.

The test cells call them: ``cu.checks.ch04.mul_backward(mul_backward)``; the
hidden tests ``cu.checks.ch04.mul_backward(mul_backward, hidden=True)``.
``dloss_dw_4_1`` and ``grads_4_2`` are answers by hand, values rather than
functions: their checks take the value itself and never show the right answer,
only what is wrong with the one given (its type, its sign, a missing factor).

The engine is the notebook's given ``Tensor`` class, which calls five functions
the learner writes, one exercise each (see ``STEPS``): each step's check runs
short **scripts** (plain data: "make w, compute ``z = x * w``, give z the grad
5 by hand, run z's rule, read ``w.grad``") with the notebook's ``Tensor`` and
hands back the numbers it read. The grader's key (``grading/keys/ch04.py``)
knows every value and gradient a script should read. A step's scripts need
only that step and the earlier ones: the rules are run one node at a time,
by hand, before the walk exists. A second walk through the same graph may
raise (PyTorch) or add again (PyTorch with ``retain_graph=True``): both pass.

Later steps and ``train_quadratic`` use the earlier steps: if one fails its
own check, the grader checks the later exercise with a correct stand-in in
its place, so a bug costs only the points of the step it is in.
"""
import traceback

import numpy as np

from ..i18n import N_, translator
from .core import (TIMED_OUT, call, declare, describe, Exercise, Fail, helpers_in_place, likely,
                   not_implemented, Opaque, raised, show, to_plain)

CHAPTER = "04_backprop"
_ = translator(__name__, CHAPTER)
RTOL, ATOL = 1e-9, 1e-9  # float64 throughout: a float32 engine is told so


def _close(actual, expected, rtol=RTOL, atol=ATOL):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and np.allclose(actual, expected, rtol=rtol, atol=atol)


def _float32_close(actual, expected):
    """Right to about float32 precision but not to float64's."""
    return _close(actual, expected, rtol=1e-4, atol=1e-6) and not _close(actual, expected)


FLOAT32_HINT = N_("the numbers agree only to about 7 digits, float32 precision: compute in "
                  "float64 (`dtype=float`), as this chapter does.")


# ------------------------------------------------------------------ answers by hand


def _answer_run(answer, case):
    """Running half of a value exercise: the value as plain data (a function's result too)."""
    if callable(answer) and not isinstance(answer, type):
        return {"function": True, **call(answer)}
    return {"value": to_plain(answer)}


def _plain_number(value):
    """``value`` as a float if it is one number (a size-1 array too), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)  # a float subclass (np.float64) is a float
    if type(value) is np.ndarray and value.size == 1 and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    return None


def _answer_type_problem(name, observed, what):
    """The message when a value exercise holds something other than ``what``, or None."""
    if observed.get("function") and "value" in observed:
        return _("{name} is a function (it returns {got}); the answer is {what}: assign the "
                 "value itself, e.g. `{name} = ...`, not a function that computes it.",
                 name=name, got=describe(observed["value"]), what=what)
    if observed.get("function"):
        return _("{name} is a function (calling it raised {error}); the answer is {what}: "
                 "assign the value itself, e.g. `{name} = ...`, not a function that computes "
                 "it.", name=name, error=observed["error"]["type"], what=what)
    value = observed["value"]
    if value is None:
        return not_implemented(name)
    if type(value) is Opaque and "Tensor" in value.type_name:
        return _("{name} is a {kind}; the answer is {what}, plain numbers: take a tensor's "
                 "number out with `.item()`.", name=name, kind=value.type_name, what=what)
    return None


def _answer_1_cases(seed):
    case = {"x": 2.0, "y": 4.0, "w": 1.0, "call": "dloss_dw_4_1"}
    return [case if seed is None else {**case, "round": "hidden"}]


def _loose(a, b):
    return _close(a, b, rtol=1e-6)


def _answer_1_judge(case, observed, answer):
    name, what = "dloss_dw_4_1", _("one number")
    problem = _answer_type_problem(name, observed, what)
    if problem:
        raise Fail(problem, reason=_("{name} is not {what}", name=name, what=what))
    value = _plain_number(observed["value"])
    if value is None:
        raise Fail(_("{name} is {got}; the answer is one number.", name=name,
                     got=describe(observed["value"])),
                   reason=_("{name} is not {what}", name=name, what=what))
    if not _loose(value, answer["expected"]):
        raise Fail(_("{name} = {value} is not ∂loss/∂w for ŷ = x·w at x = 2, y = 4, w = 1. "
                     "Walk the graph backward: ∂loss/∂w = ∂loss/∂r · ∂r/∂ŷ · ∂ŷ/∂w.",
                     name=name, value=show(value)),
                   reason=_("{name} is not ∂loss/∂w", name=name),
                   bug=_.template(likely(value, answer["bugs"], _loose)))


dloss_dw_4_1 = Exercise(
    name="dloss_dw_4_1", points=1, cases=_answer_1_cases, run=_answer_run,
    judge=_answer_1_judge, hidden_seeds=(40_121,),
    summary="dloss_dw_4_1 is homework 4-1's ∂loss/∂w, one number")


def _answer_2_cases(seed):
    case = {"x": 1.0, "w": 1.0, "b": 2.0, "y": 2.0, "call": "grads_4_2"}
    return [case if seed is None else {**case, "round": "hidden"}]


def _answer_2_judge(case, observed, answer):
    name, what = "grads_4_2", _("a tuple of two numbers, (dloss_dw, dloss_db)")
    problem = _answer_type_problem(name, observed, what)
    if problem:
        raise Fail(problem, reason=_("{name} is not {what}", name=name, what=what))
    value = observed["value"]
    items = (list(value) if type(value) in (tuple, list)
             else value.ravel().tolist() if type(value) is np.ndarray else None)
    if items is None or len(items) != 2:
        raise Fail(_("{name} is {got}; the answer is {what}.", name=name, got=describe(value),
                     what=what),
                   reason=_("{name} is not {what}", name=name, what=what))
    if any(type(item) is Opaque for item in items):
        raise Fail(_("{name} holds {got}; it should hold plain numbers: take a tensor's number "
                     "out with `.item()`.", name=name,
                     got=describe(next(i for i in items if type(i) is Opaque))),
                   reason=_("{name} does not hold plain numbers", name=name))
    numbers = [_plain_number(item) for item in items]
    if None in numbers:
        raise Fail(_("{name} holds {got}; {what} expected.", name=name,
                     got=describe(items[numbers.index(None)]), what=what),
                   reason=_("{name} is not {what}", name=name, what=what))
    right = [_loose(a, e) for a, e in zip(numbers, answer["expected"])]
    if not all(right):
        which = _.template(N_("dloss_dw is right, dloss_db is not") if right[0] else
                           N_("dloss_db is right, dloss_dw is not") if right[1] else
                           N_("both are wrong"))
        raise Fail(_("{name} = ({dw}, {db}): {which} (ŷ = x·w + b at x = 1, w = 1, b = 2, "
                     "y = 2). Walk the graph backward through r = ŷ − y and loss = r².",
                     name=name, dw=repr(numbers[0]), db=repr(numbers[1]), which=which),
                   reason=_("{name}: {which}", name=name, which=which),
                   bug=_.template(likely(numbers, answer["bugs"], _loose)))


grads_4_2 = Exercise(
    name="grads_4_2", points=2, cases=_answer_2_cases, run=_answer_run,
    judge=_answer_2_judge, hidden_seeds=(40_221,),
    summary="grads_4_2 is homework 4-2's (dloss_dw, dloss_db), two numbers")


# ------------------------------------------------------------------ the engine: scripts
#
# The engine is the notebook's given ``Tensor`` class with five steps the learner
# writes, each a module-level function the class calls when it runs (Python looks
# the name up then): ``accumulate_grad`` (gradients add up), ``mul_backward`` and
# ``pow_backward`` (the primitives' rules; ``add_backward`` is given),
# ``backward_walk`` (the walk) and ``div`` (an operator built from the primitives).
# Each step is an exercise of its own, checked by short scripts run with the
# notebook's Tensor: plain data, each statement a tuple:
#   ("new", name, data, how)         how: "kw" Tensor(data, requires_grad=True), "plain"
#                                    Tensor(data), "set" Tensor(data) then .requires_grad = True
#   ("op", name, op, a, b)           op in + - * / ** neg; a, b: a tensor's name or a number
#   ("accumulate", names, g, how)    accumulate_grad(t, g) for each t of names, one array g;
#                                    how "kw": accumulate_grad(tensor=t, grad=g)
#   ("seed", name, g)                name.grad = Tensor(g): a gradient from the next node
#   ("local", name)                  name._backward(): one node's rule, run by hand
#   ("rule_kw", name)                the rule of name called with keywords (mul or pow)
#   ("backward", name)               name.backward()
#   ("walk", name, how)              backward_walk(name), how "kw": backward_walk(output=name)
#   ("walk_again", name)             the same a second time: PyTorch raises, or (retain_graph)
#                                    adds again; either is accepted
#   ("zero_grad", name)              name.grad.data.zero_()
#   ("record", label, name, what)    what: "value" (.item()), "grad"

STEPS = ("accumulate_grad", "mul_backward", "pow_backward", "backward_walk", "div")


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
    if kind == "accumulate":
        names, g, how = rest
        head = [f"g = np.array({g!r})"]
        if how == "kw":
            return head + [f"accumulate_grad(tensor={name}, grad=g)" for name in names]
        return head + [f"accumulate_grad({name}, g)" for name in names]
    if kind == "seed":
        return [f"{rest[0]}.grad = Tensor({rest[1]!r})"]
    if kind == "local":
        return [f"{rest[0]}._backward()"]
    if kind == "rule_kw":
        return [_("{name}'s rule, called with keywords (a=..., b=... or n=..., out={name})",
                  name=rest[0])]
    if kind == "backward":
        return [f"{rest[0]}.backward()"]
    if kind in ("walk", "walk_again"):
        how = rest[1] if len(rest) > 1 else None
        return [f"backward_walk(output={rest[0]})" if how == "kw" else f"backward_walk({rest[0]})"]
    if kind == "zero_grad":
        return [f"{rest[0]}.grad.data.zero_()"]
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


class _TriedAgain(Exception):
    """A second backward through the same graph raised, as PyTorch does: accepted."""


def _execute(steps, tensor_type, env, statement, records):
    """Run one statement with the notebook's Tensor and the learner's steps (running half)."""
    kind, *rest = statement

    def tensor(obj, text):
        if not isinstance(obj, tensor_type):
            env[NOT_A_TENSOR] = {"code": text, "got": to_plain(obj)}  # judged in words later
            raise _NotATensor(text)
        return obj

    if kind == "new":
        name, data, how = rest
        if how == "kw":
            env[name] = tensor(tensor_type(data, requires_grad=True), _lines(statement)[0])
        else:
            env[name] = tensor(tensor_type(data), f"Tensor({data!r})")
            if how == "set":
                env[name].requires_grad = True
    elif kind == "op":
        name, op, a, b = rest
        a, b = (env[x] if type(x) is str else x for x in (a, b))
        result = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                  "/": lambda: a / b, "**": lambda: a ** b, "neg": lambda: -a}[op]()
        env[name] = tensor(result, _lines(statement)[0].split(" = ", 1)[1])
    elif kind == "accumulate":
        names, g, how = rest
        grad = np.array(g, dtype=float)
        for name in names:
            _returned(env, "accumulate_grad", steps["accumulate_grad"](tensor=env[name], grad=grad)
                      if how == "kw" else steps["accumulate_grad"](env[name], grad))
    elif kind == "seed":
        env[rest[0]].grad = tensor_type(rest[1])
    elif kind == "local":
        _returned(env, "_backward()", env[rest[0]]._backward())
    elif kind == "rule_kw":
        out = env[rest[0]]
        if out._op == "pow":
            _returned(env, "pow_backward", steps["pow_backward"](a=out._parents[0], n=rest[1],
                                                                 out=out))
        else:
            _returned(env, "mul_backward", steps["mul_backward"](a=out._parents[0],
                                                                 b=out._parents[1], out=out))
    elif kind == "backward":
        env[rest[0]].backward()
    elif kind == "walk":
        _returned(env, "backward_walk", steps["backward_walk"](output=env[rest[0]])
                  if rest[1] == "kw" else steps["backward_walk"](env[rest[0]]))
    elif kind == "walk_again":
        try:
            steps["backward_walk"](env[rest[0]])
        except Exception as error:
            raise _TriedAgain(type(error).__name__) from None
    elif kind == "zero_grad":
        env[rest[0]].grad.data.zero_()
    elif kind == "record":
        label, name, what = rest
        records.append(_read(env[name], what, tensor_type))


def _returned(env, what, value):
    """Remember the first value a step returned: steps return nothing (running half)."""
    if value is not None and RETURNED not in env:
        env[RETURNED] = {"step": what, "value": to_plain(value)}


# Not names a script can give a tensor.
RETURNED, NOT_A_TENSOR = " returned", " not a tensor"


def _read(t, what, tensor_type):
    """One number read from a tensor, as plain data (a float subclass is a float)."""
    if what == "value":
        return {"value": to_plain(t.item())}
    grad = t.grad
    if grad is None:
        return {"value": None}
    if not isinstance(grad, tensor_type):
        return {"value": to_plain(grad), "not_tensor": True}
    return {"value": to_plain(grad.item())}


def missing_step(error):
    """The step whose ``raise NotImplementedError()`` stopped a script: the innermost of
    the traceback's functions that is a step (the walk's stub raises inside ``visit``)."""
    names = [frame.name for frame in traceback.extract_tb(error.__traceback__)]
    return next((name for name in reversed(names) if name in STEPS), "")


def _observed(env, records, **rest):
    returned = {"returned": env[RETURNED]} if RETURNED in env else {}
    if NOT_A_TENSOR in env:
        returned["not_a_tensor"] = env[NOT_A_TENSOR]
    return {"records": records, **rest, **returned}


def _run_script(steps, tensor_type, script):
    """Running half of one script: the records read, and where and why it stopped.

    A statement that ran out of time also shows as the observation's ``error``,
    so that the remaining scripts are not run (see ``Exercise.observe``).
    """
    env, records = {}, []
    for index, statement in enumerate(script):
        def run():
            try:
                _execute(steps, tensor_type, env, statement, records)
            except NotImplementedError as error:
                raise NotImplementedError(missing_step(error)) from None
        outcome = call(run)
        if "error" in outcome:
            if outcome["error"]["type"] == "_TriedAgain":
                return _observed(env, records, stopped=None, raised_again=True)
            stopped = _observed(env, records, stopped={"step": index, "error": outcome["error"]})
            if outcome["error"]["type"] == TIMED_OUT:
                stopped["error"] = outcome["error"]
            return stopped
    return _observed(env, records, stopped=None)


def _engine_run(name):
    """The running half of step ``name``: its scripts, with the Tensor of its notebook."""
    def run(step, case):
        if not callable(step) or isinstance(step, type):
            return {"not_a_function": to_plain(step)}
        namespace = getattr(step, "__globals__", {})
        tensor_type = namespace.get("Tensor")
        if not isinstance(tensor_type, type):
            return {"no_tensor": True}
        steps = {other: namespace.get(other) for other in STEPS}
        steps[name] = step
        # The class calls the step by its name: make that name the function checked.
        with helpers_in_place(step, {name: step}):
            return _run_script(steps, tensor_type, case["script"])
    return run


# ------------------------------------------------------------------ the engine: judging


RECURSION_HINT = N_("a function calls itself without end: e.g. `div(a, b)` written as `a / b` "
                    "runs div again. Build it from the primitives: `a * b ** -1`.")


def _stopped(name, case, observed):
    """The :class:`Fail` of a script that stopped on an error."""
    stopped = observed["stopped"]
    step, error = stopped["step"], stopped["error"]
    code = _code(case["script"], step + 1)
    if error["type"] == "NotImplementedError":
        missing = error["message"] or name
        if missing == name:
            return Fail(not_implemented(name) + " " + _(
                "The first part still missing is reached by `{line}` in\n{code}",
                line=_statement_text(case["script"][step]), code=code),
                reason=_("{name} is not implemented yet", name=name))
        return Fail(_("In\n{code}\nthe last line reached {missing}, which is not implemented "
                      "yet: {name} needs it. Write {missing} first, and run its cell.",
                      code=code, missing=missing, name=name),
                    reason=_("a step it needs is not implemented yet"))
    if error["type"] == "_NotATensor":
        found = observed.get("not_a_tensor") or {"code": error["message"], "got": None}
        return Fail(_("In\n{code}\n{operation} gave {got}, expected a Tensor: every operation "
                      "must return a new Tensor, built from the primitives + * ** (they return "
                      "Tensors).", code=code, operation=found["code"], got=describe(found["got"])),
                    reason=_("an operation did not return a Tensor"))
    if error["type"] == "RecursionError":
        return Fail(_("In\n{code}\nthis raised RecursionError: {message}", code=code,
                      message=error["message"]),
                    reason=_("it raised RecursionError"), bug=_.template(RECURSION_HINT))
    failure = raised(_("In\n{code}\nthe last line", code=code), error, name)
    if "NoneType" in error["message"] and "grad" in error["message"] + code:
        failure.bug = _.template(NONE_HINTS.get(name, NONE_HINTS["backward_walk"]))
    elif name == "div" and "does not require grad" in error["message"]:
        failure.bug = _("div's result has no history: build it from the primitives, "
                        "`a * b ** -1`, so that the graph records how it was computed.")
    elif "has no attribute 'value'" in error["message"]:
        failure.bug = _("a grad that is not a Tensor: accumulate_grad must keep tensor.grad a "
                        "Tensor, since the rules read `out.grad.value`.")
    return failure


NONE_HINTS = {
    "accumulate_grad": N_("tensor.grad is None until the first gradient arrives: make it a "
                          "Tensor of zeros first (`Tensor(np.zeros_like(tensor.value))`), then "
                          "add into it."),
    "backward_walk": N_("a tensor passed its grad on before it had one: does backward_walk "
                        "give the output the grad 1 first, then call _backward() in the "
                        "reverse of the order, the output first (each tensor after every "
                        "tensor computed from it)?"),
}


def _engine_judge(name):
    def judge(case, observed, answer):
        if "not_a_function" in observed:
            raise Fail(_("{name} is {got}, not a function: define it with `def {name}(...)` as "
                         "its cell does.", name=name, got=describe(observed["not_a_function"])),
                       reason=_("{name} is not a function", name=name))
        if "no_tensor" in observed:
            raise Fail(_("{name} is defined, but the notebook's Tensor class is not: run the "
                         "cell that defines Tensor (section 5), then this test again.",
                         name=name),
                       reason=_("Tensor is not defined"))
        try:
            _judge_script(name, case, observed, answer)
        except Fail as failure:
            if "returned" in observed:  # the visible message only: it shows the learner's value
                returned = observed["returned"]
                failure.message += "\n" + _.template(RETURNED_NOTE).format(
                    step=returned["step"], value=describe(returned["value"]))
            raise

    return judge


RETURNED_NOTE = N_("(Your {step} returned {value}; the engine ignores it. A step returns "
                   "nothing: it adds each gradient into a tensor's grad with _accumulate.)")


def _judge_script(name, case, observed, answer):
    records = observed["records"]
    record_steps = [i for i, statement in enumerate(case["script"]) if statement[0] == "record"]
    for index, ((label, want), got) in enumerate(zip(answer["records"], records)):
        code = _code(case["script"], record_steps[index])
        _judge_record(name, label, want, got, code, observed, answer)
    if observed["stopped"]:
        raise _stopped(name, case, observed)
    if len(records) < len(answer["records"]) and not observed.get("raised_again"):
        raise Fail(_("the script read fewer numbers than it should."),
                   reason=_("the script read fewer numbers than it should"))


def _judge_record(name, label, want, got, code, observed, answer):
    value, shown = got["value"], _.template(label)  # a label in words is marked N_ in its script
    if got.get("not_tensor"):
        raise Fail(_("After\n{code}\n{label} is {got}, expected a Tensor: .grad holds a "
                     "Tensor, as in PyTorch (the lecture's loop reads `w.grad.data` and "
                     "`w.grad.item()`).", code=code, label=shown, got=describe(value)),
                   reason=_("a .grad is not a Tensor"))
    if want is None:
        if value is not None:
            raise Fail(_("After\n{code}\n{label} is {got}, expected None: only tensors made "
                         "with requires_grad=True (and results computed from them) get a grad, "
                         "and only once backward() has reached them, as in PyTorch.",
                         code=code, label=shown, got=show(value)),
                       reason=_("a tensor that should have no grad has one"))
        return
    if value is None:
        raise Fail(_("After\n{code}\n{label} is None, expected {want}: nothing reached it, or "
                     "nothing added to its grad.", code=code, label=shown, want=show(want)),
                   reason=_("{label} is None: nothing reached it", label=shown))
    number = _plain_number(value)
    if number is None:
        raise Fail(_("After\n{code}\n{label} is {got}, expected the number {want}.",
                     code=code, label=shown, got=describe(value), want=show(want)),
                   reason=_("{label} is not a number", label=shown))
    numbers = answer["numbers"]
    scale = float(np.max(np.abs(numbers))) if numbers.size else 1.0
    if _close(number, want, atol=ATOL * (1 + scale)):
        return
    bug = FLOAT32_HINT if _float32_close(number, want) else _record_hint(label, observed, answer)
    measured = answer["finite_differences"].get(label.removesuffix(".grad")) \
        if label.endswith(".grad") else None
    if measured is None:
        message = _("After\n{code}\n{label} is {got}, expected {want}.", code=code, label=shown,
                    got=show(number), want=show(want))
    else:
        message = _("After\n{code}\n{label} is {got}, expected {want}. (finite differences "
                    "give ≈ {measured})", code=code, label=shown, got=show(number),
                    want=show(want), measured=f"{measured:.6g}")
    raise Fail(message, reason=_("{label} is wrong", label=shown), bug=_.template(bug))


def _record_hint(label, observed, answer):
    """The likely bug, from the numbers read so far compared with each bug's."""
    expected = answer["numbers"]
    read = [_plain_number(record["value"])
            for record, (_, want) in zip(observed["records"], answer["records"])
            if want is not None]
    actual = np.full(len(expected), np.nan)  # NaN: not read, or not a number
    actual[:len(read)] = [np.nan if number is None else number for number in read]
    bug = likely(actual, answer["bugs"], _close_where_known)
    if bug or not label.endswith(".grad"):
        return bug
    known = ~np.isnan(actual)
    with np.errstate(all="ignore"):
        ratios = actual[known] / np.where(expected[known] == 0, np.nan, expected[known])
    if any(np.isclose(ratios, k).any() for k in (2.0, 3.0, 4.0)):
        return N_("a gradient counted more than once: a tensor visited twice in the walk (keep "
                  "a set of the tensors already ordered) or added twice in a rule.")
    return ""


def _close_where_known(actual, expected):
    """Compare only the numbers read before the check stopped."""
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    known = ~np.isnan(actual)
    return (actual.shape == expected.shape and known.any()
            and np.allclose(actual[known], expected[known], rtol=RTOL, atol=ATOL))


# ------------------------------------------------------------------ the engine: probes
#
# Each probe is a small graph where typical bugs give numbers of their own.
# ``params`` are its numbers: the lecture's in the visible case, drawn from the
# seed in hidden ones. The key's bug table gives, per bug, the numbers of the
# script's records (values and grads, in order) that the bug produces.


def _probe(probe, params, script):
    return {"probe": probe, "params": params, "script": script}


def _number_drawer(rng):
    def number(low=0.5, high=3.0, signed=True):
        sign = float(rng.choice([-1, 1])) if signed else 1.0
        return round(float(rng.uniform(low, high)) * sign, 2)
    return number


# -- step 1: accumulate_grad


def _adds_probe(p):
    """Two gradients arrive at w: its grad is their sum, a Tensor of its own."""
    return _probe("adds", p, [
        ("new", "w", p["w"], "kw"), ("record", N_("w.grad (before any gradient)"), "w", "grad"),
        ("accumulate", ("w",), p["g"], "pos"), ("record", "w.grad", "w", "grad"),
        ("accumulate", ("w",), p["h"], "kw"),
        ("record", N_("w.grad (after the second)"), "w", "grad")])


def _own_grad_probe(p):
    """One gradient array given to two tensors: each keeps a grad of its own."""
    return _probe("own_grad", p, [
        ("new", "a", [p["a"]], "set"), ("new", "b", [p["b"]], "set"),
        ("accumulate", ("a", "b"), [p["g"]], "pos"), ("zero_grad", "a"),
        ("record", N_("b.grad (after a.grad.data.zero_())"), "b", "grad"),
        ("accumulate", ("a",), [p["h"]], "pos"), ("record", "a.grad", "a", "grad"),
        ("record", "b.grad", "b", "grad")])


def _accumulate_cases(seed):
    if seed is None:
        return [_adds_probe({"w": 2.0, "g": 3.0, "h": -1.25}),
                _own_grad_probe({"a": 1.0, "b": 2.0, "g": 5.0, "h": 0.5})]
    number = _number_drawer(np.random.default_rng(seed))
    return _hidden([_adds_probe({"w": number(), "g": number(), "h": number()}),
                    _own_grad_probe({"a": number(), "b": number(), "g": number(),
                                     "h": number()})])


def _hidden(cases):
    for case in cases:
        case["call"] = _("a hidden {probe} script", probe=case["probe"])
    return cases


# -- steps 2 and 3: the rules of * and **, one node at a time


def _mul_node_probe(p):
    """The lecture's worked example: z = x·w, ∂L/∂z = g given by hand, z's rule run once."""
    return _probe("mul_node", p, [
        ("new", "x", p["x"], "kw"), ("new", "w", p["w"], "kw"), ("op", "z", "*", "x", "w"),
        ("seed", "z", p["g"]), ("local", "z"),
        ("record", "x.grad", "x", "grad"), ("record", "w.grad", "w", "grad")])


def _mul_number_probe(p):
    """A number on the right (w · k) and then on the left (k · v), rules called with keywords."""
    return _probe("mul_number", p, [
        ("new", "w", p["w"], "kw"), ("new", "v", p["v"], "kw"),
        ("op", "a", "*", "w", p["k"]), ("seed", "a", p["g"]), ("rule_kw", "a"),
        ("op", "b", "*", p["k"], "v"), ("seed", "b", p["g"]), ("local", "b"),
        ("record", "w.grad", "w", "grad"), ("record", "v.grad", "v", "grad")])


def _mul_square_probe(p):
    """w · w: both inputs are w, so w receives both shares."""
    return _probe("mul_square", p, [
        ("new", "w", p["w"], "kw"), ("op", "s", "*", "w", "w"), ("seed", "s", p["g"]),
        ("local", "s"), ("record", "w.grad", "w", "grad")])


def _mul_cases(seed):
    if seed is None:
        return [_mul_node_probe({"x": 2.0, "w": 3.0, "g": 5.0}),
                _mul_number_probe({"w": 2.0, "v": -1.5, "k": 4.0, "g": 0.5}),
                _mul_square_probe({"w": 3.0, "g": 2.0})]
    number = _number_drawer(np.random.default_rng(seed))
    return _hidden([_mul_node_probe({"x": number(), "w": number(), "g": number()}),
                    _mul_number_probe({"w": number(), "v": number(), "k": number(),
                                       "g": number()}),
                    _mul_square_probe({"w": number(), "g": number()})])


def _pow_node_probe(p):
    """w ** n with ∂L/∂(w**n) = g given by hand; the rule called positionally, then with
    keywords on a second power."""
    return _probe("pow_node", p, [
        ("new", "w", p["w"], "kw"), ("op", "p", "**", "w", p["n"]), ("seed", "p", p["g"]),
        ("local", "p"), ("record", "w.grad", "w", "grad"),
        ("new", "v", p["v"], "kw"), ("op", "q", "**", "v", p["m"]), ("seed", "q", p["g"]),
        ("rule_kw", "q", p["m"]), ("record", "v.grad", "v", "grad")])


def _pow_cases(seed):
    if seed is None:
        return [_pow_node_probe({"w": 2.0, "n": 3, "g": 1.0, "v": 4.0, "m": 0.5}),
                _pow_node_probe({"w": -1.5, "n": 2, "g": 3.0, "v": 2.0, "m": -1})]
    rng = np.random.default_rng(seed)
    number = _number_drawer(rng)
    return _hidden([_pow_node_probe({"w": number(), "n": int(rng.integers(2, 5)),
                                     "g": number(), "v": number(signed=False),
                                     "m": float(rng.choice([-1.0, 0.5, 1.5]))})
                    for _ in range(2)])


# -- step 4: the walk


def _chain_probe(p):
    """The lecture's worked example: z = x·w with ∂L/∂z = g given by L = z·g."""
    return _probe("chain", p, [
        ("new", "x", p["x"], "kw"), ("new", "w", p["w"], "kw"),
        ("op", "z", "*", "x", "w"), ("op", "L", "*", "z", p["g"]), ("walk", "L", "pos"),
        ("record", "L.item()", "L", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "x.grad", "x", "grad")])


def _paths_probe(p):
    """Chapter 1's graph e = (a + b)·(b + 1): ∂e/∂b is the sum over b's two paths."""
    return _probe("paths", p, [
        ("new", "a", p["a"], "kw"), ("new", "b", p["b"], "kw"),
        ("op", "c", "+", "a", "b"), ("op", "d", "+", "b", 1.0), ("op", "e", "*", "c", "d"),
        ("walk", "e", "kw"), ("record", "e.item()", "e", "value"),
        ("record", "a.grad", "a", "grad"), ("record", "b.grad", "b", "grad")])


def _linear_probe(p):
    """The lecture's graph of the linear model: ŷ = x·w, loss = (ŷ − y)², w made as in its loop."""
    return _probe("linear", p, [
        ("new", "w", [p["w"]], "set"), ("op", "y_hat", "*", p["x"], "w"),
        ("op", "r", "-", "y_hat", p["y"]), ("op", "l", "**", "r", 2), ("walk", "l", "pos"),
        ("record", "l.item()", "l", "value"), ("record", "w.grad", "w", "grad")])


def _reuse_result_probe(p):
    """A result used twice, l = a·a with a = w·x: the walk must reach a once."""
    return _probe("reuse_result", p, [
        ("new", "w", p["w"], "kw"), ("new", "x", p["x"], "plain"), ("op", "a", "*", "w", "x"),
        ("op", "l", "*", "a", "a"), ("walk", "l", "pos"), ("record", "l.item()", "l", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "x.grad", "x", "grad")])


def _order_probe(p):
    """l = a + a·a with a = c·w: a must pass its grad on only after both uses have given theirs."""
    return _probe("order", p, [
        ("new", "w", p["w"], "kw"), ("op", "a", "*", "w", p["c"]), ("op", "aa", "*", "a", "a"),
        ("op", "l", "+", "a", "aa"), ("walk", "l", "pos"), ("record", "l.item()", "l", "value"),
        ("record", "w.grad", "w", "grad")])


def _accumulate_probe(p):
    """Leaves' grads accumulate across backward calls, as in PyTorch."""
    return _probe("accumulate", p, [
        ("new", "a", p["a"], "kw"), ("new", "b", p["b"], "kw"), ("op", "s", "+", "a", "b"),
        ("walk", "s", "pos"), ("op", "ta", "*", "a", p["k"]), ("op", "tb", "*", "b", p["m"]),
        ("op", "t", "+", "ta", "tb"), ("walk", "t", "pos"),
        ("record", "a.grad", "a", "grad"), ("record", "b.grad", "b", "grad")])


def _twice_probe(p):
    """A second walk through the same graph: PyTorch raises an error, or (retain_graph=True)
    adds the leaves' grads again. Either is accepted; anything else is not."""
    return _probe("twice", p, [
        ("new", "w", p["w"], "kw"), ("op", "a", "*", "w", p["c"]), ("op", "l", "*", "a", "a"),
        ("walk", "l", "pos"), ("record", "w.grad", "w", "grad"),
        ("walk_again", "l"), ("record", N_("w.grad (after the second walk)"), "w", "grad")])


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

_WALK_OPS = ("+", "-", "*", "**", "neg", "r+", "r-", "r*")
_ALL_OPS = _WALK_OPS + ("/", "r/")


def _random_expression(rng, ops=_ALL_OPS, walk=False):
    """A random expression over two or three leaves, with shared results (hidden data).

    Results that nothing else uses are added into the output, so every
    operation drawn is part of the graph. ``walk``: backward by backward_walk.
    """
    leaves = ["a", "b", "c"][:int(rng.integers(2, 4))]
    script = [("new", name, round(float(rng.uniform(0.5, 2.5)) * float(rng.choice([-1, 1])), 2),
               "plain" if i == len(leaves) - 1 and rng.random() < 0.3 else "kw")
              for i, name in enumerate(leaves)]
    names, size = list(leaves), len(leaves) + int(rng.integers(4, 8))
    while len(names) < size:
        statement = _random_operation(rng, names, f"t{len(names) - len(leaves) + 1}", ops)
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
    ending = ("walk", "out", "pos") if walk else ("backward", "out")
    return script + [ending, ("record", "out.item()", "out", "value")] + [
        ("record", f"{leaf}.grad", leaf, "grad") for leaf in leaves]


def _random_operation(rng, names, name, ops):
    """One operation on earlier results (recent ones more often) and numbers."""
    def pick():
        if rng.random() < 0.7:
            return names[-1 - int(rng.integers(0, min(3, len(names))))]
        return names[int(rng.integers(0, len(names)))]

    number = round(float(rng.uniform(0.5, 3.0)) * float(rng.choice([-1, 1])), 2)
    op = str(rng.choice(list(ops)))
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


def _walk_cases(seed):
    if seed is None:
        return [
            _chain_probe({"x": 2.0, "w": 3.0, "g": 5.0}),
            _paths_probe({"a": 2.0, "b": 1.0}),
            _linear_probe({"x": 1.0, "w": 1.0, "y": 2.0}),
            _reuse_result_probe({"w": 3.0, "x": 2.0}),
            _order_probe({"w": 3.0, "c": 2.0}),
            _accumulate_probe({"a": 1.0, "b": 2.0, "k": 5.0, "m": 3.0}),
            _twice_probe({"w": 2.0, "c": 3.0}),
        ]
    rng = np.random.default_rng(seed)
    number = _number_drawer(rng)
    cases = [
        _chain_probe({"x": number(), "w": number(), "g": number()}),
        _paths_probe({"a": number(), "b": number()}),
        _linear_probe({"x": number(), "w": number(), "y": number()}),
        _reuse_result_probe({"w": number(), "x": number()}),
        _order_probe({"w": number(), "c": number()}),
        _accumulate_probe({"a": number(), "b": number(), "k": number(), "m": number()}),
        _twice_probe({"w": number(), "c": number()}),
    ]
    cases += [_expression_probe({}, _random_expression(rng, _WALK_OPS, walk=True))
              for _ in range(3)]
    return _hidden(cases)


# -- step 5: division


def _div_probe(p):
    """Division, with the number on either side."""
    return _probe("div", p, [
        ("new", "w", p["w"], "kw"), ("new", "v", p["v"], "kw"),
        ("op", "a", "/", p["k"], "w"), ("op", "b", "/", "v", p["m"]),
        ("backward", "a"), ("backward", "b"),
        ("record", "a.item()", "a", "value"), ("record", "b.item()", "b", "value"),
        ("record", "w.grad", "w", "grad"), ("record", "v.grad", "v", "grad")])


def _div_tensors_probe(p):
    """Division of two tensors: both get a gradient."""
    return _probe("div_tensors", p, [
        ("new", "u", p["u"], "kw"), ("new", "v", p["v"], "kw"), ("op", "q", "/", "u", "v"),
        ("backward", "q"), ("record", "q.item()", "q", "value"),
        ("record", "u.grad", "u", "grad"), ("record", "v.grad", "v", "grad")])


def _div_cases(seed):
    if seed is None:
        return [_div_probe({"w": 2.0, "v": 2.0, "k": 6.0, "m": 4.0}),
                _div_tensors_probe({"u": 3.0, "v": 2.0}),
                _expression_probe({}, _VISIBLE_EXPRESSION)]
    rng = np.random.default_rng(seed)
    number = _number_drawer(rng)
    cases = [_div_probe({"w": number(), "v": number(), "k": number(), "m": number()}),
             _div_tensors_probe({"u": number(), "v": number()})]
    cases += [_expression_probe({}, _random_expression(rng)) for _ in range(3)]
    return _hidden(cases)


def _step(name, points, cases, seeds, summary, uses=()):
    return Exercise(name=name, points=points, cases=cases, run=_engine_run(name),
                    judge=_engine_judge(name), hidden_seeds=seeds, summary=summary, uses=uses)


accumulate_grad = _step(
    "accumulate_grad", 1, _accumulate_cases, (40_311,),
    "accumulate_grad adds a gradient into tensor.grad, a Tensor of its own")
mul_backward = _step(
    "mul_backward", 1, _mul_cases, (40_321,),
    "mul_backward passes out.grad to both factors, times the other factor",
    uses=(accumulate_grad,))
pow_backward = _step(
    "pow_backward", 1, _pow_cases, (40_331,),
    "pow_backward passes out.grad on by the power rule", uses=(accumulate_grad,))
backward_walk = _step(
    "backward_walk", 2, _walk_cases, (40_341, 40_342),
    "backward_walk calls every _backward once, in reverse topological order",
    uses=(accumulate_grad, mul_backward, pow_backward))
div = _step(
    "div", 1, _div_cases, (40_351,),
    "div builds a / b from the primitives, a number on either side",
    uses=(accumulate_grad, mul_backward, pow_backward, backward_walk))
ENGINE = (accumulate_grad, mul_backward, pow_backward, backward_walk, div)


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
             "call": _("quadratic_gradients(x, y, w1, w2, b) on hidden numbers")}
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
        raise Fail(_("{call} returned None: is the `return` statement missing?", call=text),
                   reason=_("it returned None"))
    items = (list(value) if type(value) in (tuple, list)
             else value.tolist() if type(value) is np.ndarray and value.ndim == 1 else None)
    if items is None or len(items) != count:
        raise Fail(_("{call} returned {got}, expected {what}.", call=text, got=describe(value),
                     what=what),
                   reason=_("it did not return {what}", what=what))
    for item in items:
        if type(item) is Opaque and "Tensor" in item.type_name:
            raise Fail(_("{call} returned a tuple holding a {kind}; return plain numbers: take "
                         "a tensor's number out with `.item()`.", call=text, kind=item.type_name),
                       reason=_("it returned tensors, not plain numbers"))
        if _plain_number(item) is None:
            raise Fail(_("{call} returned a tuple holding {got}, expected {what}.", call=text,
                         got=describe(item), what=what),
                       reason=_("it did not return {what}", what=what))
        if type(item) is np.ndarray:
            raise Fail(_("{call} returned a tuple holding {got}; return plain numbers (floats): "
                         "take them out with `.item()` or `float(...)`.", call=text,
                         got=describe(item)),
                       reason=_("it returned arrays, not plain numbers"))
    return np.array([_plain_number(item) for item in items])


def _quadratic_judge(case, observed, answer):
    text = _quadratic_call(case)
    if "error" in observed:
        raise raised(text, observed["error"], "quadratic_gradients")
    actual = _numbers(observed["value"], 3, text,
                      _("a tuple (dloss_dw1, dloss_dw2, dloss_db)"))
    expected = answer["expected"]
    if not _close(actual, expected, rtol=1e-8):
        raise Fail(_("{call} returned {got}, expected {want}.", call=text, got=show(actual),
                     want=show(expected)),
                   bug=_.template(likely(actual, answer["bugs"], _close)))


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
             "call": N_("train_quadratic(x_data, y_data), the lecture's data")},
            {"args": (), "kwargs": {"x": [1.0, 2.0], "y": [3.0, 1.0], "lr": 0.05, "epochs": 4},
             "call": "train_quadratic(x=[1.0, 2.0], y=[3.0, 1.0], lr=0.05, epochs=4)"},
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
             "call": _("train_quadratic(x, y, lr, epochs) on hidden data")}]


def _train_run(train_quadratic, case):
    # A wrong engine may well diverge: its overflow is its result, not a warning to show.
    with np.errstate(all="ignore"), _BackwardCounter(train_quadratic) as counter:
        observed = call(train_quadratic, *case["args"], **case["kwargs"])
    observed["backward_calls"] = counter.count
    return observed


def _train_judge(case, observed, answer):
    text = _.template(case["call"])  # a visible case's words are marked N_ in its case
    if "error" in observed:
        raise raised(text, observed["error"], "train_quadratic")
    actual = _numbers(observed["value"], 3, text, _("a tuple (w1, w2, b) of floats"))
    expected = answer["expected"]
    if not _close(actual, expected):
        bug = (FLOAT32_HINT if _float32_close(actual, expected)
               else likely(actual, answer["bugs"], _close))
        raise Fail(_("{call} returned (w1, w2, b) = {got}, expected {want}.", call=text,
                     got=show(actual), want=show(expected)),
                   reason=_("the weights are wrong"), bug=_.template(bug))
    if observed.get("backward_calls") == 0:
        return _("Note: {call} gives the right weights but seems never to call backward(): "
                 "homework 4-4 lets your Tensor compute the gradients (`l.backward()`), not a "
                 "formula.", call=text)
    return None


train_quadratic = Exercise(
    name="train_quadratic", points=3, cases=_train_cases, run=_train_run, judge=_train_judge,
    inputs=("x", "y"),
    hidden_seeds=(40_521, 40_522), uses=ENGINE,
    summary="train_quadratic trains ŷ = w1·x² + w2·x + b by SGD with your Tensor")

EXERCISES = declare(CHAPTER, dloss_dw_4_1, grads_4_2, *ENGINE, quadratic_gradients,
                    train_quadratic)
__all__ = ["CHAPTER", "EXERCISES", *(exercise.name for exercise in EXERCISES)]

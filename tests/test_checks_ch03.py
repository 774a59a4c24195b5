"""The checks of chapter 3: they catch typical bugs by name and pass correct code in any style."""
import itertools

import numpy as np
import pytest

from conftest import chapter_namespace, graded_here
from course_utils import data
from course_utils.checks import CheckFailed, ch03
from grading import answers

KEY = answers.key("03_gradient_descent")

CHAPTER = "03_gradient_descent"


@pytest.fixture(scope="module")
def solutions():
    return chapter_namespace(CHAPTER)


def check(name, fn, seed=None):
    """Run chapter 3's check ``name`` on ``fn`` in this process, as a test cell does."""
    getattr(ch03, name)(fn, seed=seed)


def mean_gradient(x, y, w):
    return np.mean(2 * x * (x * w - y))


def descent(x, y, w0, lr, epochs, schedule, sign=1.0, scale=1.0, sum_batches=False,
            log_after=False):
    """A gradient descent for building buggy learners: ``schedule(epoch, n)`` gives the batches."""
    w, costs = w0, []
    for epoch in range(epochs):
        for batch in schedule(epoch, len(x)):
            xb, yb = x[batch], y[batch]
            before = np.mean((xb * w - yb) ** 2)
            grad = np.sum(2 * xb * (xb * w - yb)) / (1 if sum_batches else len(xb))
            w = w - sign * lr * scale * grad
            costs.append(np.mean((xb * w - yb) ** 2) if log_after else before)
    return w, np.array(costs)


def whole(epoch, n):
    return [np.arange(n)]


def singles(epoch, n):
    return [[i] for i in range(n)]


def gd_bug(**options):
    return lambda x, y, w0, lr, epochs: descent(x, y, w0, lr, epochs, whole, **options)


def sgd_bug(**options):
    return lambda x, y, w0, lr, epochs: descent(x, y, w0, lr, epochs, singles, **options)


def in_order(batch_size):
    return lambda epoch, n: [np.arange(n)[s:s + batch_size] for s in range(0, n, batch_size)]


def minibatch_bug(order=None, **options):
    """A mini-batch descent in the order ``order(seed, epoch, n)`` when a seed is given, else
    (and with no ``order``) in data order."""
    def minibatch_gd(x, y, w0, lr, epochs, batch_size, seed=None):
        def schedule(epoch, n):
            indices = np.arange(n) if seed is None or order is None else order(seed, epoch, n)
            return [indices[s:s + batch_size] for s in range(0, n, batch_size)]
        return descent(x, y, w0, lr, epochs, schedule, **options)
    return minibatch_gd


def bugs(solutions):
    """Typical mistakes, each with the words its message must contain."""
    gradient_descent, sgd = solutions["gradient_descent"], solutions["sgd"]
    minibatch_gd = solutions["minibatch_gd"]

    def gradient_in_place(x, y, w):
        x *= w
        x -= y
        return np.mean(2 * x)

    def gd_inside_the_sample_loop(x, y, w0, lr, epochs):
        w, costs = w0, []
        for epoch in range(epochs):
            costs.append(np.mean((x * w - y) ** 2))
            for x_n, y_n in zip(x, y):
                w = w - lr * 2 * x_n * (x_n * w - y_n)
        return w, costs

    def gd_hundred_epochs(x, y, w0, lr, epochs):
        return gradient_descent(x, y, w0, lr, 100)

    def gd_cost_after_the_end_too(x, y, w0, lr, epochs):
        w, costs = gradient_descent(x, y, w0, lr, epochs)
        return w, list(costs) + [np.mean((x * w - y) ** 2)]

    calls = itertools.count()

    def another_order_each_call(n):
        """What shuffling does, without the chance of drawing the same order twice."""
        return np.arange(n)[::-1] if next(calls) % 2 == 0 else np.arange(n)

    def sgd_shuffling(x, y, w0, lr, epochs):
        order = another_order_each_call(len(x))
        return sgd(x[order], y[order], w0, lr, epochs)

    def sgd_one_loss_per_epoch(x, y, w0, lr, epochs):
        w, losses = sgd(x, y, w0, lr, epochs)
        return w, np.asarray(losses).reshape(epochs, -1).mean(axis=1)

    def fresh_generator_each_epoch(seed, epoch, n):
        return np.random.default_rng(seed).permutation(n)

    legacy_generator = {}

    def legacy(seed, epoch, n):
        """The orders of np.random.seed(seed), then np.random.permutation(n) each epoch,
        without changing the global generator of this test process."""
        if epoch == 0:
            legacy_generator["rng"] = np.random.RandomState(seed)
        return legacy_generator["rng"].permutation(n)

    def shuffle_without_seed(x, y, w0, lr, epochs, batch_size, seed=None):
        order = another_order_each_call(len(x))
        return minibatch_gd(x[order], y[order], w0, lr, epochs, batch_size)

    def drop_last(x, y, w0, lr, epochs, batch_size, seed=None):
        n = len(x) - len(x) % batch_size
        return minibatch_gd(x[:n], y[:n], w0, lr, epochs, batch_size, seed)

    def divide_by_batch_size(x, y, w0, lr, epochs, batch_size, seed=None):
        w, costs = w0, []
        rng = None if seed is None else np.random.default_rng(seed)
        for epoch in range(epochs):
            order = np.arange(len(x)) if rng is None else rng.permutation(len(x))
            for start in range(0, len(x), batch_size):
                b = order[start:start + batch_size]
                costs.append(np.mean((x[b] * w - y[b]) ** 2))
                w = w - lr * np.sum(2 * x[b] * (x[b] * w - y[b])) / batch_size
        return w, costs

    def shuffles_if_seed(x, y, w0, lr, epochs, batch_size, seed=None):
        """`if seed:`, false for the notebook's SEED = 0 as for None."""
        return minibatch_gd(x, y, w0, lr, epochs, batch_size, seed if seed else None)

    renamed = "has another name than the exercise's signature gives"
    return {
        "cost_gradient": [
            (lambda x, y, w: -mean_gradient(x, y, w), "the sign is flipped"),
            (lambda x, y, w: np.sum(2 * x * (x * w - y)), "summed over the samples"),
            (lambda x, y, w: np.mean(x * (x * w - y)), "the factor 2 is missing"),
            (lambda x, y, w: np.mean(2 * (x * w - y)), "the factor x is missing"),
            (lambda x, y, w: np.mean((x * w - y) ** 2), "returned the cost"),
            (lambda x, y, w: 2 * np.mean(x) * np.mean(x * w - y), "mean of a product"),
            (lambda x, y, w: 2 * x * (x * w - y), "gradients of the single samples"),
            (lambda x, y, w: [mean_gradient(x, y, w)], "expected a single number"),
            (lambda x, y, w: None, "`return` statement missing"),
            (gradient_in_place, "changed its input x in place"),
            (lambda x, y, w: np.mean(2 * x * (x * w - y) ^ 2), "`^` is XOR"),
            (lambda x, y, w: -28 / 3, "returned -9.333333333333334, expected 4.666666666666667"),
            (lambda x, y, weight: mean_gradient(x, y, weight), renamed),
        ],
        "gradient_descent": [
            (gd_bug(sign=-1.0), "the sign is flipped"),
            (gd_bug(sum_batches=True), "sums over the samples"),
            (gd_bug(scale=0.5), "the factor 2 is missing"),
            (gd_bug(log_after=True), "logged after the update"),
            (gd_inside_the_sample_loop, "that is SGD"),
            (lambda x, y, w0, lr, epochs: gradient_descent(x, y, w0, 0.01, epochs),
             "learning rate is hard-coded"),
            (lambda x, y, w0, lr, epochs: gradient_descent(x, y, 1.0, lr, epochs),
             "start is hard-coded"),
            (gd_hundred_epochs, "number of epochs is hard-coded"),
            (gd_cost_after_the_end_too, "one cost too many"),
            (lambda x, y, w0, lr, epochs: sgd(x, y, w0, lr, epochs), "one cost per sample"),
            (lambda x, y, w0, lr, epochs: None, "`return` statement missing"),
            (lambda x, y, w0, lr, epochs: gradient_descent(x, y, w0, lr, epochs)[::-1],
             "the order is (w, costs)"),
            (lambda x, y, w0, lr, epochs: gradient_descent(x, y, w0, lr, epochs)[0],
             "expected a pair (w, costs)"),
            (lambda x, y, w_start, alpha, n: gradient_descent(x, y, w_start, alpha, n), renamed),
        ],
        "critical_learning_rate": [
            (lambda x: 2 / np.mean(x ** 2), "curvature"),
            (lambda x: 1 / (2 * np.mean(x ** 2)), "lands on the minimum in one step"),
            (lambda x: 2 / (2 * np.sum(x ** 2)), "sum over the samples"),
            (lambda x: 2 / (2 * np.mean(x) ** 2), "mean(x)² is not mean(x²)"),
            (lambda x: 2 / (2 * np.mean(x)), "x is not squared"),
            (lambda x: 1 / x ** 2, "expected a single number"),
            (lambda x: 0.21428571428571427, "expected 0.17777777777777778"),
        ],
        "sgd": [
            (sgd_bug(sign=-1.0), "the sign is flipped"),
            (sgd_bug(scale=0.5), "the factor 2 is missing"),
            (sgd_bug(log_after=True), "logged after its update"),
            (_full_gradient_sgd, "gradient of all the samples"),
            (lambda x, y, w0, lr, epochs: sgd(x, y, w0, 0.01, epochs),
             "learning rate is hard-coded"),
            (lambda x, y, w0, lr, epochs: sgd(x, y, 1.0, lr, epochs), "start is hard-coded"),
            (sgd_one_loss_per_epoch, "one loss per epoch"),
            (sgd_shuffling, "without shuffling"),
            (lambda x, y, w0, lr, epochs: sgd(x, y, w0, lr, 100),
             "number of epochs is hard-coded"),
            (lambda x, y, w0, lr, epochs: {"w": sgd(x, y, w0, lr, epochs)[0]},
             "expected a pair (w, losses)"),
            (lambda x, y, w0, alpha, epochs: sgd(x, y, w0, alpha, epochs), renamed),
        ],
        "minibatch_gd": [
            (minibatch_bug(sign=-1.0), "the sign is flipped"),
            (minibatch_bug(sum_batches=True), "a sum over its samples"),
            (minibatch_bug(scale=0.5), "the factor 2 is missing"),
            (minibatch_bug(log_after=True), "logged after its update"),
            (divide_by_batch_size, "divided by batch_size"),
            (drop_last, "the last, smaller batch is missing"),
            (minibatch_bug(), "must be shuffled at the start of every epoch"),
            (minibatch_bug(fresh_generator_each_epoch), "every epoch has the same order"),
            (minibatch_bug(legacy), "old global generator"),
            (shuffle_without_seed, "without shuffling"),
            (lambda x, y, w0, lr, epochs, batch_size, seed=None: minibatch_gd(
                x, y, w0, lr, epochs, len(x), seed), "is batch_size used?"),
            (lambda x, y, w0, lr, epochs, batch_size, seed=None: minibatch_gd(
                x, y, w0, 0.01, epochs, batch_size, seed), "learning rate is hard-coded"),
            (minibatch_bug(lambda seed, epoch, n: np.random.default_rng().permutation(n)),
             "`rng = np.random.default_rng(seed)`, so that a call repeats exactly"),
            (shuffles_if_seed, "seed=0 did not shuffle: `if seed:` is false for 0"),
        ],
        "affine_gradients": [
            (lambda x, y, w, b: _affine(x, y, w, b)[::-1], "the two are swapped"),
            (lambda x, y, w, b: _affine(x, y, w, 0.0), "b is left out"),
            (lambda x, y, w, b: tuple(-g for g in _affine(x, y, w, b)), "signs are flipped"),
            (lambda x, y, w, b: (np.sum(2 * x * (x * w + b - y)), np.sum(2 * (x * w + b - y))),
             "summed over the samples"),
            (lambda x, y, w, b: tuple(g / 2 for g in _affine(x, y, w, b)),
             "the factor 2 is missing"),
            (lambda x, y, w, b: (_affine(x, y, w, b)[0],) * 2, "dcost_db has a factor x"),
            (lambda x, y, w, b: (_affine(x, y, w, b)[1],) * 2, "dcost_dw is missing the factor x"),
            (lambda x, y, w, b: {"dw": 0.0}, "expected a pair (dcost_dw, dcost_db)"),
            (lambda x, y, w, b: _affine(x, y, w, b)[0], "expected a pair (dcost_dw, dcost_db)"),
            (lambda x, y, weight, bias: _affine(x, y, weight, bias), renamed),
        ],
    }


def _full_gradient_sgd(x, y, w0, lr, epochs):
    w, losses = w0, []
    for epoch in range(epochs):
        for x_n, y_n in zip(x, y):
            losses.append((x_n * w - y_n) ** 2)
            w = w - lr * mean_gradient(x, y, w)
    return w, losses


def _affine(x, y, w, b):
    error = x * w + b - y
    return np.mean(2 * x * error), np.mean(2 * error)


BUG_COUNTS = {"cost_gradient": 13, "gradient_descent": 14, "critical_learning_rate": 7,
              "sgd": 11, "minibatch_gd": 14, "affine_gradients": 10}


def test_every_bug_case_is_tested(solutions):
    assert {name: len(cases) for name, cases in bugs(solutions).items()} == BUG_COUNTS


@pytest.mark.parametrize("name,case", [(name, i) for name, count in BUG_COUNTS.items()
                                       for i in range(count)])
def test_typical_bug_gets_a_specific_message(solutions, name, case):
    buggy, words = bugs(solutions)[name][case]
    with pytest.raises(CheckFailed) as failure:
        check(name, buggy)
    assert words in str(failure.value)
    assert "Traceback" not in str(failure.value)


def test_changing_the_data_in_place_after_a_right_result_is_advice(solutions, capsys):
    """Seen in the learner's process, where it could be hidden: a note, not a lost point."""
    def gd_changing_y(x, y, w0, lr, epochs):
        w, costs = solutions["gradient_descent"](x, y, w0, lr, epochs)
        y /= 2
        return w, costs

    check("gradient_descent", gd_changing_y)
    assert "changed its input y in place" in capsys.readouterr().out


def test_message_shows_expected_and_actual(solutions):
    with pytest.raises(CheckFailed) as failure:
        check("cost_gradient", lambda x, y, w: np.sum(2 * x * (x * w - y)))
    assert "returned -28.0, expected -9.333333333333334" in str(failure.value)
    with pytest.raises(CheckFailed) as failure:
        check("gradient_descent", gd_bug(log_after=True))
    assert "costs[0] is 3.8" in str(failure.value) and "expected 4.666666666666667" in \
        str(failure.value)


# ------------------------------------------------------------------ correct code in other styles

HELPERS = '''
import numpy as np

def cost(x, y, w):
    return np.mean((x * w - y) ** 2)

def cost_gradient(x, y, w):
    return np.mean(2 * x * (x * w - y))
'''

CORRECT_STYLES = {
    "cost_gradient": {
        "the lecture's loop": '''
def cost_gradient(xs, ys, w):
    grad = 0
    for x, y in zip(xs, ys):
        grad += 2 * x * (x * w - y)
    return grad / len(xs)
''',
        "float32 and prints": '''
def cost_gradient(x, y, w):
    x, y = x.astype(np.float32), y.astype(np.float32)
    print("gradient at", w)
    return float(np.mean(2 * x * (x * np.float32(w) - y)))
''',
        "np.dot": '''
def cost_gradient(x, y, w):
    return 2 * np.dot(x, x * w - y) / len(x)
''',
    },
    "gradient_descent": {
        "the lecture's loop, lists and prints": '''
def gradient_descent(x, y, w0, lr, epochs):
    w = w0
    cost_list = []
    for epoch in range(epochs):
        cost_val = cost(x, y, w)
        grad_val = cost_gradient(x, y, w)
        w -= lr * grad_val
        cost_list.append(cost_val)
        print("epoch:", epoch, "w=", w, "loss=", cost_val)
    return w, cost_list
''',
        "float32": '''
def gradient_descent(x, y, w0, lr, epochs):
    x, y, w = x.astype(np.float32), y.astype(np.float32), np.float32(w0)
    costs = np.zeros(epochs, dtype=np.float32)
    for epoch in range(epochs):
        costs[epoch] = np.mean((x * w - y) ** 2)
        w = w - np.float32(lr) * np.mean(2 * x * (x * w - y))
    return w, costs
''',
        "a while loop and keyword calls": '''
def gradient_descent(x, y, w0, lr, epochs):
    w, costs, epoch = w0, [], 0
    while epoch < epochs:
        costs.append(cost(x=x, y=y, w=w))
        w = w - lr * cost_gradient(x=x, y=y, w=w)
        epoch += 1
    return (w, np.array(costs))
''',
    },
    "critical_learning_rate": {
        "1 / mean": "def critical_learning_rate(x):\n    return 1 / np.mean(x ** 2)\n",
        "sum over len, float32": '''
def critical_learning_rate(x):
    x = np.asarray(x, dtype=np.float32)
    curvature = 2 * np.sum(x * x) / len(x)
    return 2 / curvature
''',
    },
    "sgd": {
        "an index loop and a 2-D array of losses": '''
def sgd(x, y, w0, lr, epochs):
    w = w0
    losses = np.zeros((epochs, len(x)))
    for epoch in range(epochs):
        for i in range(len(x)):
            losses[epoch, i] = (x[i] * w - y[i]) ** 2
            w = w - lr * cost_gradient(x[i:i + 1], y[i:i + 1], w)
    return w, losses
''',
        "float32 and the helper on scalars": '''
def sgd(x, y, w0, lr, epochs):
    w, losses = np.float32(w0), []
    for epoch in range(epochs):
        for x_n, y_n in zip(x.astype(np.float32), y.astype(np.float32)):
            losses.append(cost(x_n, y_n, w))
            w -= np.float32(lr) * cost_gradient(x_n, y_n, w)
    return w, losses
''',
    },
    "minibatch_gd": {
        "shuffling one index array in place": '''
def minibatch_gd(x, y, w0, lr, epochs, batch_size, seed=None):
    rng = np.random.default_rng(seed) if seed is not None else None
    indices = np.arange(len(x))
    w, costs = w0, []
    for epoch in range(epochs):
        if rng is not None:
            rng.shuffle(indices)
        for start in range(0, len(x), batch_size):
            b = indices[start:start + batch_size]
            costs.append(cost(x[b], y[b], w))
            w = w - lr * cost_gradient(x[b], y[b], w)
    return w, costs
''',
        "shuffled copies of the data": '''
def minibatch_gd(x, y, w0, lr, epochs, batch_size, seed=None):
    rng = np.random.default_rng(seed)
    w, costs = w0, []
    for _ in range(epochs):
        if seed is None:
            xs, ys = x, y
        else:
            order = rng.permutation(np.arange(len(x)))
            xs, ys = x[order], y[order]
        for xb, yb in zip(np.split(xs, range(batch_size, len(x), batch_size)),
                          np.split(ys, range(batch_size, len(x), batch_size))):
            costs.append(np.mean((xb * w - yb) ** 2))
            w = w - lr * np.mean(2 * xb * (xb * w - yb))
    return w, np.array(costs)
''',
    },
    "affine_gradients": {
        "a list and a loop": '''
def affine_gradients(x, y, w, b):
    dw = db = 0.0
    for x_n, y_n in zip(x, y):
        dw += 2 * x_n * (x_n * w + b - y_n)
        db += 2 * (x_n * w + b - y_n)
    return [dw / len(x), db / len(x)]
''',
        "an array, float32": '''
def affine_gradients(x, y, w, b):
    x, y = x.astype(np.float32), y.astype(np.float32)
    error = x * w + b - y
    return np.array([np.mean(2 * x * error), np.mean(2 * error)])
''',
    },
}


@pytest.mark.parametrize("name,style", [(name, style) for name, styles in CORRECT_STYLES.items()
                                        for style in styles])
def test_correct_code_in_other_styles_passes(name, style, capsys):
    namespace = {}
    exec(HELPERS + CORRECT_STYLES[name][style], namespace)
    for seed in (None, *getattr(ch03, name).hidden_seeds):
        check(name, namespace[name], seed=seed)
    assert "epoch:" not in capsys.readouterr().out, "learner prints stay out of the test cell"


def test_numbers_of_any_numeric_type_are_accepted(solutions):
    """numpy scalars and float subclasses are Python numbers by type: accepted as numbers."""
    class Number(float):
        pass

    gradient_descent, affine = solutions["gradient_descent"], solutions["affine_gradients"]

    def gd_numpy_scalars(x, y, w0, lr, epochs):
        w, costs = gradient_descent(x, y, w0, lr, epochs)
        return np.float64(w), [np.float32(c) for c in costs]

    for seed in (None, *ch03.cost_gradient.hidden_seeds):
        check("cost_gradient", lambda x, y, w: Number(solutions["cost_gradient"](x, y, w)), seed)
        check("critical_learning_rate",
              lambda x: np.float32(solutions["critical_learning_rate"](x)), seed)
        check("gradient_descent", gd_numpy_scalars, seed)
        check("affine_gradients",
              lambda x, y, w, b: (np.float32(affine(x, y, w, b)[0]), Number(affine(x, y, w, b)[1])),
              seed)


def test_the_checks_call_as_the_notebook_does_keywords_and_seed_zero():
    """Each exercise with parameters beyond the data has a case passing them by keyword, and
    minibatch_gd is checked with the notebook's SEED, 0."""
    for exercise in ch03.EXERCISES:
        keyword_cases = [case for case in exercise.cases(None) if case.get("kwargs")]
        if exercise.name != "critical_learning_rate":
            assert keyword_cases and set(keyword_cases[0]["kwargs"]) == set(
                ch03.PARAMETERS[exercise.name][2:])
    seeds = [ch03.arguments("minibatch_gd", case)[-1] for case in ch03.minibatch_gd.cases(None)]
    assert 0 in seeds


# ------------------------------------------------------------------ hidden data


def test_hard_coded_lecture_answers_fail_hidden_data(solutions):
    x, y = data.hours_points()
    answers = {
        "cost_gradient": lambda *args: solutions["cost_gradient"](x, y, 1.0),
        "gradient_descent": lambda *args: solutions["gradient_descent"](x, y, 1.0, 0.01, 100),
        "critical_learning_rate": lambda *args: solutions["critical_learning_rate"](x),
        "sgd": lambda *args: solutions["sgd"](x, y, 1.0, 0.01, 100),
        "minibatch_gd": lambda *args: solutions["minibatch_gd"](x, y, 1.0, 0.01, 100, 3),
        "affine_gradients": lambda *args: solutions["affine_gradients"](x, y, 1.0, 0.0),
    }
    for name, answer in answers.items():
        for seed in getattr(ch03, name).hidden_seeds:
            with pytest.raises(CheckFailed):
                check(name, answer, seed=seed)


def test_hidden_data_depends_on_the_seed():
    x1, _, _ = ch03._random_data(1)
    x2, _, _ = ch03._random_data(2)
    assert not (len(x1) == len(x2) and np.allclose(x1, x2))


# ------------------------------------------------------------------ the judge's own numbers


def all_cases(exercise):
    return [case for seed in (None, *exercise.hidden_seeds) for case in exercise.cases(seed)]


def test_gradients_agree_with_finite_differences():
    for case in all_cases(ch03.cost_gradient):
        answer = KEY.cost_gradient(case)
        assert answer["finite_difference"] == pytest.approx(answer["expected"], rel=1e-7,
                                                            abs=1e-7)
    for case in all_cases(ch03.affine_gradients):
        answer = KEY.affine_gradients(case)
        np.testing.assert_allclose(answer["finite_differences"], answer["expected"],
                                   rtol=1e-7, atol=1e-7)


def test_the_critical_rate_is_where_descent_starts_to_diverge():
    for case in all_cases(ch03.critical_learning_rate):
        x, = case["args"]
        y = 2 * x + 1
        critical = KEY.critical_learning_rate(case)["expected"]
        schedule = KEY._full_batches(len(x), 3000)
        w_below, _ = KEY._descend(schedule, x, y, 0.0, 0.98 * critical)
        w_above, _ = KEY._descend(schedule, x, y, 0.0, 1.02 * critical)
        best = np.sum(x * y) / np.sum(x * x)
        assert abs(w_below - best) < 1e-6 and not abs(w_above - best) < 1e3


def test_the_judges_descent_gives_the_lecture_numbers():
    x, y = data.hours_points()
    w, costs = KEY._descend(KEY._full_batches(3, 100), x, y, 1.0, 0.01)
    assert 4 * w == pytest.approx(7.999777758621207, rel=1e-14) and costs[0] == 4.666666666666667
    w, losses = KEY._descend(KEY._single_samples(3, 100), x, y, 1.0, 0.01)
    assert 4 * w == pytest.approx(7.9999999999996945, rel=1e-14) and len(losses) == 300


def test_minibatch_extremes_are_gd_and_sgd_in_the_visible_cases():
    gd_case, sgd_case, *_ = ch03.minibatch_gd.cases(None)

    def flat(results):
        return np.concatenate([[results[0][0]], results[0][1]])

    np.testing.assert_allclose(flat(KEY.minibatch_gd(gd_case)["results"]),
                               flat(KEY.gradient_descent({"args": gd_case["args"][:5]})["results"]))
    np.testing.assert_allclose(flat(KEY.minibatch_gd(sgd_case)["results"]),
                               flat(KEY.sgd({"args": sgd_case["args"][:5]})["results"]))


def test_both_ways_of_shuffling_differ_so_both_are_really_accepted():
    case = ch03.minibatch_gd.cases(None)[3]
    (_, permutation), (_, in_place) = KEY.minibatch_gd(case)["results"]
    assert not np.allclose(permutation, in_place)


def test_learner_solutions_pass_in_float64_exactly_and_reproduce_the_lecture(solutions):
    x, y = data.hours_points()
    w, costs = solutions["gradient_descent"](x, y, 1.0, 0.01, 100)
    assert (4 * w, costs[0], costs[99]) == (7.999777758621207, 4.666666666666667,
                                            1.752432687141379e-08)
    w, _ = solutions["sgd"](x, y, 1.0, 0.01, 100)
    assert 4 * w == 7.9999999999996945
    assert solutions["critical_learning_rate"](x) == 2 / (28 / 3)


# ------------------------------------------------------------------ one bug, one exercise

NOTEBOOK_WITH_A_BROKEN_GRADIENT = HELPERS + '''
def cost_gradient(x, y, w):
    return np.sum(2 * x * (x * w - y))      # Exercise 1 wrong: a sum

def gradient_descent(x, y, w0, lr, epochs):
    w, costs = w0, []
    for epoch in range(epochs):
        costs.append(cost(x, y, w))
        w = w - lr * cost_gradient(x, y, w)
    return w, costs

def minibatch_gd(x, y, w0, lr, epochs, batch_size, seed=None):
    rng = np.random.default_rng(seed)
    w, costs = w0, []
    for epoch in range(epochs):
        order = np.arange(len(x)) if seed is None else rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            b = order[start:start + batch_size]
            costs.append(cost(x[b], y[b], w))
            w = w - lr * cost_gradient(x[b], y[b], w)
    return w, costs
'''


def test_a_bug_in_cost_gradient_costs_only_its_own_exercise():
    namespace = {}
    exec(NOTEBOOK_WITH_A_BROKEN_GRADIENT, namespace)
    broken = namespace["cost_gradient"]
    graded = graded_here(CHAPTER, namespace)
    assert graded["gradient_descent"][0] and graded["minibatch_gd"][0]
    assert not graded["cost_gradient"][0] and "summed over the samples" in graded["cost_gradient"][1]
    assert namespace["cost_gradient"] is broken, "the learner's function is back afterwards"


def test_a_bug_besides_a_broken_helper_says_which_helper_was_replaced():
    namespace = {}
    exec(NOTEBOOK_WITH_A_BROKEN_GRADIENT + '''
def gradient_descent(x, y, w0, lr, epochs):
    w, costs = w0, []
    for epoch in range(epochs):
        w = w - lr * cost_gradient(x, y, w)
        costs.append(cost(x, y, w))
    return w, costs
''', namespace)
    passed, message = graded_here(CHAPTER, namespace)["gradient_descent"]
    assert not passed and "logged after the update" in message
    assert "Checked with a correct cost_gradient in place of yours" in message


def test_a_learner_changing_the_data_in_place_cannot_spoil_later_checks(solutions):
    def halves_y(x, y, w0, lr, epochs):
        y /= 2
        return solutions["gradient_descent"](x, y, w0, lr, epochs)

    with pytest.raises(CheckFailed, match="changed its input y in place"):
        check("gradient_descent", halves_y)  # wrong values, and the note says why
    assert ch03.gradient_descent.cases(None)[1]["args"][1].tolist() == [3.0, 5.0, 7.0, 9.5]
    check("gradient_descent", solutions["gradient_descent"])

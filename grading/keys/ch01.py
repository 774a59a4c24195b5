"""Answer key of chapter 1 (overview): see grading/answers.py. The grader's only."""


def _arguments(case, names):
    """The case's arguments in the order of ``names``, passed positionally or by keyword."""
    given = {**dict(zip(names, case.get("args", ()))), **case.get("kwargs", {})}
    return tuple(given[name] for name in names)


def samples_needed(case):
    points, dims = _arguments(case, ("points_per_axis", "dims"))
    return {"expected": points ** dims, "bugs": {
        "points_per_axis · dims grows linearly; a grid multiplies the points of every "
        "axis: points_per_axis ** dims": points * dims,
        "dims ** points_per_axis: the exponent is the number of dimensions": dims ** points,
        "points_per_axis ** (dims - 1): the exponent is dims itself": points ** (dims - 1),
        "`^` is XOR in Python, not a power: write `**`": points ^ dims}}


def edge_fraction(case):
    eps, dims = _arguments(case, ("eps", "dims"))
    return {"expected": 1.0 - (1.0 - 2.0 * eps) ** dims, "bugs": {
        "(1 - 2·eps) ** dims is the volume of the inner cube, the points farther than "
        "eps from the surface; the shell near the surface is 1 minus that":
            (1.0 - 2.0 * eps) ** dims,
        "1 - (1 - eps) ** dims counts one face per axis; a point is near the surface "
        "when it is within eps of either face, 0 or 1, so each axis keeps only "
        "1 - 2·eps": 1.0 - (1.0 - eps) ** dims,
        "2·eps·dims adds up one slab per face, which counts the edges and corners "
        "where slabs overlap more than once": 2.0 * eps * dims}}


def de_db(case):
    a, b = _arguments(case, ("a", "b"))
    c, d = a + b, b + 1.0  # the lecture's graph: c = a + b, d = b + 1, e = c · d
    return {"expected": d * 1.0 + c * 1.0,  # ∂e/∂c·∂c/∂b + ∂e/∂d·∂d/∂b
            "paths": sorted([c, d]),
            "bugs": {"only the path b → c → e, whose product is ∂e/∂c · ∂c/∂b = d (that is "
                     "also ∂e/∂a); b reaches e along two paths: add the path b → d → e": d,
                     "only the path b → d → e, whose product is ∂e/∂d · ∂d/∂b = c; b reaches e "
                     "along two paths: add the path b → c → e": c,
                     "the two paths' products multiplied (that gives e = c · d itself); the "
                     "paths add up": c * d,
                     "along each path the local derivatives were added; along a path they "
                     "multiply (chain rule), and the paths' products add up":
                         (d + 1.0) + (c + 1.0)}}

# The image's nbgrader config for everyone, students and the grader: the same
# settings as the environment-wide config deploy/hub/hub.py writes on one
# machine (tests/test_kubernetes.py keeps them equal).
c = get_config()  # noqa: F821 (traitlets provides it)
# nbgrader's exchange: in the pods, the shared ReadWriteMany volume (the PVC
# nbgrader-exchange of formgrader.yaml, mounted by values.yaml).
c.Exchange.root = "/srv/nbgrader/exchange"
# The formgrader's Autograde button would run students' code unsandboxed, as the
# grader: grading here is `python -m grading autograde` (grading/exchange.py).
c.Autograde.sanitize_preprocessors = ["grading.exchange.SandboxedOnly"]
c.Autograde.autograde_preprocessors = ["grading.exchange.SandboxedOnly"]

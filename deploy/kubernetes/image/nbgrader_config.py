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
# The exchange's root is root's, not writable by students: nbgrader's steps that
# want it writable (or chmod it 0777), made to need the course's folder only.
c.ExchangeFactory.fetch_assignment = "grading.exchange.FetchAssignment"
c.ExchangeFactory.fetch_feedback = "grading.exchange.FetchFeedback"
c.ExchangeFactory.list = "grading.exchange.List"
c.ExchangeFactory.release_assignment = "grading.exchange.ReleaseAssignment"
c.ExchangeFactory.release_feedback = "grading.exchange.ReleaseFeedback"
c.ExchangeFactory.collect = "grading.exchange.Collect"

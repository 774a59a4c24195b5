# The image's nbgrader config for everyone, students and the grader: where
# nbgrader's exchange is. In the pods it is the shared ReadWriteMany volume
# (the PVC nbgrader-exchange of formgrader.yaml, mounted by values.yaml).
# deploy/hub/hub.py writes the same setting on one machine.
c = get_config()  # noqa: F821 (traitlets provides it)
c.Exchange.root = "/srv/nbgrader/exchange"

# nbgrader in the students' servers; in the image beside deploy/learner's
# files, in the directory that JUPYTER_CONFIG_PATH names. The same settings
# as deploy/hub/hub.py's learner config on one machine.
from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821 (traitlets provides it)
# A user's courses are the hub groups nbgrader-<course> they are in.
c.Authenticator.plugin_class = JupyterHubAuthPlugin
# Submissions readable by their author and the graders only (grading/exchange.py).
c.ExchangeFactory.submit = "grading.exchange.PrivateSubmit"

"""JupyterHub for the course on one machine: one system user per student, the
course's JupyterLab for everyone, nbgrader's exchange, the formgrader as a service.

`hub.py up` copies this file next to `class.json`, which says who is in the
class and where things are, and starts JupyterHub with it. Edit
`deploy/hub/jupyterhub_config.py` in the repository, not the copy.

Who gets what:
* every user logs in with their system password (PAM) and gets JupyterLab,
  run as their own system user from the shared environment, with the
  course's learner settings (deploy/learner: Validate and the assignment list,
  no instructor tools; no news or update checks);
* students (group nbgrader-<course>) see the course in the assignment list,
  where they fetch chapters, submit them and fetch feedback;
* instructors (group formgrade-<course>) also reach the formgrader, a
  JupyterLab run as the grader account in the course directory, at
  /services/<course>/; they are the hub's admins.
Nobody else may open a user's server: JupyterHub's default roles give each
user access to their own server only.
"""
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides it)

CLASS = json.loads(Path(os.environ.get("PYTORCH_PRACTICE_CLASS",
                                       Path(__file__).with_name("class.json"))).read_text())
course = CLASS["course_id"]
venv, state = Path(CLASS["venv"]), Path(CLASS["state"])
# nbgrader's gradebook shells out to `alembic`, so the environment's bin comes first.
path = os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])

scheme = "https" if CLASS["ssl_cert"] else "http"
c.JupyterHub.bind_url = f"{scheme}://{CLASS['ip']}:{CLASS['port']}"
if CLASS["ssl_cert"]:
    c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = CLASS["ssl_cert"], CLASS["ssl_key"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = CLASS["hub_port"]
c.ConfigurableHTTPProxy.command = [CLASS["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{CLASS['proxy_api_port']}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no systemd-logind session per login
c.Authenticator.allowed_users = set(CLASS["students"]) | set(CLASS["instructors"])
c.Authenticator.admin_users = set(CLASS["instructors"])

c.Spawner.cmd = [str(venv / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {"PATH": path, "JUPYTER_CONFIG_PATH": CLASS["learner_config"]}
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 120

c.JupyterHub.load_groups = {
    f"formgrade-{course}": {"users": CLASS["instructors"]},
    f"nbgrader-{course}": {"users": CLASS["students"]},
}
c.JupyterHub.load_roles = [
    {"name": f"formgrade-{course}", "groups": [f"formgrade-{course}"],
     "scopes": [f"access:services!service={course}", "list:services",
                f"read:services!service={course}"]},
    # nbgrader's assignment list asks the hub, with the server's own token,
    # which nbgrader-<course> groups its user is in.
    {"name": "server", "scopes": ["inherit"]},
]

c.JupyterHub.services = [{
    "name": course,
    "url": f"http://127.0.0.1:{CLASS['formgrader_port']}",
    "command": [str(venv / "bin" / "jupyterhub-singleuser"),
                f"--ServerApp.root_dir={CLASS['grader_home']}"],
    "user": CLASS["grader"],
    "cwd": CLASS["course_dir"],
    "oauth_no_confirm": True,
    # what `python -m grading` works on, in the formgrader's terminal (hub.py's grader_env)
    "environment": {**CLASS["grader_env"], "JUPYTERHUB_DEFAULT_URL": "/lab"},
}]

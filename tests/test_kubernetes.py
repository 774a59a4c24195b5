"""deploy/kubernetes (Zero to JupyterHub) agrees with deploy/hub, and what can run here runs.

There is no cluster here. These tests read the files: the values, the
formgrader's manifests, the Dockerfile and its ignore file, the image's
nbgrader config; they compare the course's names, roles, paths and settings
with deploy/hub's (read from hub.py and its jupyterhub_config.py, not
copied); they run the Python of hub.extraConfig against a stand-in for the
chart's config and the init containers' shell commands with the uids it
gives. The last test plays one class through the exchange as the pods
would, on this machine: the formgrader's set-up script, the grader's uid,
two students with the per-user uids of the values, each through the image's
start.sh, with the image's nbgrader config (the hub's API stood in by a
small local server).
"""
import ast
import importlib.util
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sysconfig
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
import yaml
from traitlets.config import Config, PyFileConfigLoader
from traitlets.utils.importstring import import_item

from conftest import ROOT
from grading.course import COURSE_ID

K8S = ROOT / "deploy" / "kubernetes"
HUB_DIR = ROOT / "deploy" / "hub"
CHAPTER = "02_linear_model"
SYSTEM_PYTHON = "/usr/bin/python3"


def load_hub_module():
    spec = importlib.util.spec_from_file_location("deploy_hub", HUB_DIR / "hub.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HUB = load_hub_module()
VALUES = yaml.safe_load((K8S / "values.yaml").read_text())
MANIFESTS = [doc for doc in yaml.safe_load_all((K8S / "formgrader.yaml").read_text()) if doc]


def manifest(kind, name):
    [found] = [doc for doc in MANIFESTS
               if doc["kind"] == kind and doc["metadata"]["name"] == name]
    return found


DEPLOYMENT = manifest("Deployment", "formgrader")
POD = DEPLOYMENT["spec"]["template"]
FORMGRADER = POD["spec"]["containers"][0]
SETUP = POD["spec"]["initContainers"][0]
ENV = {item["name"]: item for item in FORMGRADER["env"]}


def env_value(name):
    return ENV[name]["value"]


def hub_exchange_default():
    """hub.py's --exchange default, from its argument parser's source."""
    for node in ast.walk(ast.parse((HUB_DIR / "hub.py").read_text())):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument"
                and node.args and getattr(node.args[0], "value", None) == "--exchange"):
            default = next(kw.value for kw in node.keywords if kw.arg == "default")
            return default.args[0].value
    raise AssertionError("hub.py has no --exchange option")


def one_machine_hub_config(tmp_path, monkeypatch):
    """deploy/hub/jupyterhub_config.py loaded as `hub.py up` runs it, for a small class."""
    klass = {
        "course_id": HUB.COURSE_ID, "students": ["alice", "bob"], "instructors": ["teacher"],
        "grader": f"grader-{HUB.COURSE_ID}", "grader_home": "/home/grader",
        "course_dir": "/home/grader/course", "notebooks_dir": "/home/grader/notebooks",
        "venv": "/opt/venv", "proxy": "/opt/proxy", "grader_env": {},
        "learner_config": "/opt/learner", "state": str(tmp_path), "exchange": "/srv/exchange",
        "ip": "", "port": 8000, "hub_port": 8081, "proxy_api_port": 8001,
        "formgrader_port": 9999, "ssl_cert": "", "ssl_key": ""}
    (tmp_path / "class.json").write_text(json.dumps(klass))
    monkeypatch.setenv("PYTORCH_PRACTICE_CLASS", str(tmp_path / "class.json"))
    return PyFileConfigLoader("jupyterhub_config.py", path=str(HUB_DIR)).load_config()


def dockerfile_instructions():
    """(instruction, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", (K8S / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def dockerfile_copies():
    """(sources, destination) of each COPY and ADD."""
    copies = []
    for instruction, arguments in dockerfile_instructions():
        if instruction.upper() in ("COPY", "ADD"):
            words = [word for word in arguments.split() if not word.startswith("--")]
            copies.append((words[:-1], words[-1]))
    return copies


def dockerignore_excludes(path):
    """Whether the Dockerfile's ignore file leaves ``path`` (relative, /-separated) out
    of the build context: Docker's rules, the last matching pattern winning, a
    pattern matching a path or any folder it is in."""
    def regex(pattern):
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            elif pattern[i] == "?":
                out, i = out + "[^/]", i + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        return re.compile(out)

    rules = []
    for line in (K8S / "Dockerfile.dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            rules.append((negated, regex(line.lstrip("!").strip("/"))))
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    excluded = False
    for negated, pattern in rules:
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            excluded = not negated
    return excluded


def repository_files(folder):
    return [path for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts]


def grader_uid():
    """The grader account of the image (Dockerfile's useradd)."""
    [uid] = re.findall(r"useradd --uid (\d+)", (K8S / "Dockerfile").read_text())
    return int(uid)


def extra_config(load_groups=None):
    """hub.extraConfig run as the chart runs it: after KubeSpawner's settings from
    singleuser, with the chart's `c` and `get_config`."""
    singleuser = VALUES["singleuser"]
    home = singleuser["storage"]["homeMountPath"]
    c = Config()
    c.KubeSpawner.image = f"{singleuser['image']['name']}:{singleuser['image']['tag']}"
    c.KubeSpawner.init_containers = []
    c.KubeSpawner.volume_mounts = {
        "volume-{user_server}": {"mountPath": home, "name": "volume-{user_server}",
                                 "subPath": None},
        **{f"{i}-{mount['name']}": mount
           for i, mount in enumerate(singleuser["storage"]["extraVolumeMounts"])}}
    c.JupyterHub.load_groups = load_groups or VALUES["hub"]["config"]["JupyterHub"]["load_groups"]
    settings = {"singleuser.storage.homeMountPath": home}
    [(_, code)] = VALUES["hub"]["extraConfig"].items()
    exec(compile(code, "hub.extraConfig", "exec"), {"c": c, "get_config": settings.get})
    return c


def spawner(user_id):
    return SimpleNamespace(user=SimpleNamespace(id=user_id))


def run_shell(command, **format_fields):
    """An init container's ``sh -c`` script, with chown, chmod and the like only echoed."""
    script = command[2].format(**format_fields)
    stubs = "".join(f"{name}() {{ echo {name} \"$@\"; }}\n" for name in ("chown", "chmod", "mkdir"))
    result = subprocess.run(["sh", "-c", stubs + script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


# --- the files parse, and the course's names are deploy/hub's ---

def test_every_yaml_file_parses_and_the_manifests_are_what_the_readme_says():
    for path in K8S.rglob("*.yaml"):
        assert list(yaml.safe_load_all(path.read_text())), path
    assert sorted((doc["kind"], doc["metadata"]["name"]) for doc in MANIFESTS) == [
        ("Deployment", "formgrader"), ("NetworkPolicy", "formgrader"),
        ("PersistentVolumeClaim", "grader-home"), ("PersistentVolumeClaim", "nbgrader-exchange"),
        ("Service", "formgrader")]


def test_the_course_id_is_the_one_of_grading_and_deploy_hub():
    assert HUB.COURSE_ID == COURSE_ID
    groups = VALUES["hub"]["config"]["JupyterHub"]["load_groups"]
    assert set(groups) == {f"formgrade-{COURSE_ID}", f"nbgrader-{COURSE_ID}"}
    assert list(VALUES["hub"]["services"]) == [COURSE_ID]


def test_groups_roles_and_the_formgrader_service_are_deploy_hubs(tmp_path, monkeypatch):
    one_machine = one_machine_hub_config(tmp_path, monkeypatch).JupyterHub
    hub = VALUES["hub"]
    assert set(hub["config"]["JupyterHub"]["load_groups"]) == set(one_machine.load_groups)
    roles = {role["name"]: role for role in one_machine.load_roles}
    assert set(hub["loadRoles"]) == set(roles)
    for name, role in hub["loadRoles"].items():
        assert sorted(role["scopes"]) == sorted(roles[name]["scopes"]), name
        assert role.get("groups", []) == roles[name].get("groups", []), name
    [service] = one_machine.services
    assert hub["services"][service["name"]]["oauth_no_confirm"] == service["oauth_no_confirm"]
    # Instructors do not open students' servers, as on one machine (JupyterHub's default there).
    assert hub["config"]["JupyterHub"]["admin_access"] is False
    assert "admin_access" not in one_machine


def test_the_exchange_is_one_path_everywhere():
    exchange = hub_exchange_default()
    image = PyFileConfigLoader("nbgrader_config.py", path=str(K8S / "image")).load_config()
    assert image.Exchange.root == exchange
    storage = VALUES["singleuser"]["storage"]
    [mount] = storage["extraVolumeMounts"]
    [volume] = storage["extraVolumes"]
    assert mount["mountPath"] == exchange and mount["name"] == volume["name"]
    claim = manifest("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"])
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for container in (FORMGRADER, SETUP):
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        [pod_volume] = [v for v in POD["spec"]["volumes"] if v["name"] == mounts[exchange]]
        assert pod_volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert f"{exchange}/{COURSE_ID}" in SETUP["command"][2]


def test_the_image_has_deploy_hubs_learner_and_nbgrader_config(tmp_path):
    # What hub.py writes on one machine, for the environment and for the learners...
    venv = tmp_path / "venv"
    hub_learner = HUB.write_jupyter_config(tmp_path, venv, Path(hub_exchange_default()))
    theirs_env = PyFileConfigLoader("nbgrader_config.py",
                                    path=str(venv / "etc" / "jupyter")).load_config()
    theirs = PyFileConfigLoader("nbgrader_config.py", path=str(hub_learner)).load_config()
    # ...is what the image has: all of it, setting for setting.
    ours_env = PyFileConfigLoader("nbgrader_config.py", path=str(K8S / "image")).load_config()
    ours = PyFileConfigLoader("learner_nbgrader_config.py", path=str(K8S / "image")).load_config()
    assert ours_env == theirs_env
    assert ours == theirs
    # The formgrader's Autograde button stays off (it would run students' code unsandboxed).
    for step in ("sanitize_preprocessors", "autograde_preprocessors"):
        assert ours_env.Autograde[step] == ["grading.exchange.SandboxedOnly"]
        import_item(ours_env.Autograde[step][0])
    assert ours.Authenticator.plugin_class is theirs.Authenticator.plugin_class
    assert ours.Authenticator.plugin_class is import_item("nbgrader.auth.JupyterHubAuthPlugin")
    assert ours.ExchangeFactory.submit == theirs.ExchangeFactory.submit \
        == "grading.exchange.PrivateSubmit"
    import_item(ours.ExchangeFactory.submit)  # the image's package has it
    [env] = [args for instruction, args in dockerfile_instructions() if instruction == "ENV"]
    name, learner = env.split("=", 1)
    assert name == "JUPYTER_CONFIG_PATH"
    copies = dict((tuple(sources), destination) for sources, destination in dockerfile_copies())
    assert copies[("deploy/learner",)] == learner
    assert copies[("deploy/kubernetes/image/learner_nbgrader_config.py",)] \
        == f"{learner}/nbgrader_config.py"
    assert copies[("deploy/kubernetes/image/nbgrader_config.py",)] \
        == "/usr/local/etc/jupyter/nbgrader_config.py"
    assert copies[("deploy/learner/overrides.json",)] \
        == "/usr/local/share/jupyter/lab/settings/overrides.json"


def test_the_embedded_python_compiles():
    assert VALUES["hub"]["extraConfig"]
    for name, code in VALUES["hub"]["extraConfig"].items():
        compile(code, f"hub.extraConfig.{name}", "exec")


# --- one uid per student ---

def test_each_user_gets_a_uid_and_group_of_their_own_and_no_shared_fsgroup():
    c = extra_config()
    uid, gid = c.KubeSpawner.uid, c.KubeSpawner.gid
    uids = [uid(spawner(user_id)) for user_id in (1, 2, 3)]
    assert len(set(uids)) == 3
    assert [gid(spawner(user_id)) for user_id in (1, 2, 3)] == uids
    # Not the chart's shared 1000/100, not the grader's group, not the image's jovyan.
    assert min(uids) > max(grader_uid(), 1000)
    assert c.KubeSpawner.fs_gid is None
    assert "uid" in VALUES["singleuser"] and VALUES["singleuser"]["uid"] is None
    assert "fsGid" in VALUES["singleuser"] and VALUES["singleuser"]["fsGid"] is None


def test_the_home_init_container_gives_the_home_to_that_uid():
    c = extra_config()
    [init] = c.KubeSpawner.init_containers
    assert init["securityContext"]["runAsUser"] == 0
    assert init["image"] == c.KubeSpawner.image
    home = VALUES["singleuser"]["storage"]["homeMountPath"]
    assert [m["mountPath"] for m in init["volumeMounts"]] == [home]
    uid = c.KubeSpawner.uid(spawner(7))
    # KubeSpawner fills in {userid} (the hub's user id) before the pod starts.
    assert run_shell(init["command"], userid=7) == [f"chown {uid}:{uid} {home}",
                                                     f"chmod 0700 {home}"]


def test_the_roster_is_the_groups_and_instructors_are_the_admins():
    c = extra_config()
    groups = VALUES["hub"]["config"]["JupyterHub"]["load_groups"]
    instructors = set(groups[f"formgrade-{COURSE_ID}"]["users"])
    students = set(groups[f"nbgrader-{COURSE_ID}"]["users"])
    assert c.Authenticator.allowed_users == instructors | students
    assert c.Authenticator.admin_users == instructors
    with pytest.raises(ValueError, match="both instructor and student"):
        extra_config({f"formgrade-{COURSE_ID}": {"users": ["ann"]},
                      f"nbgrader-{COURSE_ID}": {"users": ["ann", "bo"]}})


# --- the formgrader ---

def test_the_formgrader_is_the_hub_service_the_values_name():
    service_url = urlparse(VALUES["hub"]["services"][COURSE_ID]["url"])
    service = manifest("Service", service_url.hostname)
    assert [port["port"] for port in service["spec"]["ports"]] == [service_url.port]
    assert service["spec"]["selector"].items() <= POD["metadata"]["labels"].items()
    assert env_value("JUPYTERHUB_SERVICE_NAME") == COURSE_ID
    assert env_value("JUPYTERHUB_SERVICE_PREFIX") == f"/services/{COURSE_ID}/"
    assert env_value("JUPYTERHUB_CLIENT_ID") == f"service-{COURSE_ID}"
    assert env_value("JUPYTERHUB_OAUTH_CALLBACK_URL") == f"/services/{COURSE_ID}/oauth_callback"
    port = FORMGRADER["ports"][0]["containerPort"]
    assert urlparse(env_value("JUPYTERHUB_SERVICE_URL")).port == port
    # The chart keeps the service's generated token in the Secret hub under this key.
    token = ENV["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert token == {"name": "hub", "key": f"hub.services.{COURSE_ID}.apiToken"}
    # Who may open it: the scope that the instructors' role grants, and only that.
    [scope] = json.loads(env_value("JUPYTERHUB_OAUTH_ACCESS_SCOPES"))
    assert scope in VALUES["hub"]["loadRoles"][f"formgrade-{COURSE_ID}"]["scopes"]
    assert not any(scope in role["scopes"] for name, role in VALUES["hub"]["loadRoles"].items()
                   if name != f"formgrade-{COURSE_ID}")


def test_the_formgrader_runs_as_the_grader_with_deploy_hubs_environment():
    uid = grader_uid()
    context = FORMGRADER["securityContext"]
    assert context["runAsUser"] == context["runAsGroup"] == uid
    assert context["allowPrivilegeEscalation"] is False
    grader = SimpleNamespace(pw_dir="/home/grader", pw_name="grader")
    expected = HUB.grader_env(grader, Path("/venv"), Path("/home/grader/course"),
                              Path("/home/grader/notebooks"))
    for name, value in expected.items():
        if name.startswith("PYTORCH_PRACTICE_") or name in ("HOME", "SHELL"):
            assert env_value(name) == value, name
    # Not the learner's config: the grader keeps nbgrader's formgrader.
    assert env_value("JUPYTER_CONFIG_PATH") == ""
    # args, not command: the image's entrypoint (tini, start.sh) stays.
    assert "command" not in FORMGRADER and "jupyterhub-singleuser" in FORMGRADER["args"][-1]
    lines = run_shell(SETUP["command"])
    assert f"chown {uid}:{uid} /home/grader" in lines
    assert f"chown {uid}:{uid} /srv/nbgrader/exchange/{COURSE_ID}" in lines
    assert "chown 0:0 /srv/nbgrader/exchange" in lines
    assert "chmod 0755 /srv/nbgrader/exchange" in lines
    assert f"chmod 3733 /srv/nbgrader/exchange/{COURSE_ID}/inbound" in lines


def test_the_proxy_may_reach_the_formgrader_and_images_agree():
    [rule] = VALUES["proxy"]["chp"]["networkPolicy"]["egress"]
    [selector] = rule["to"]
    assert selector["podSelector"]["matchLabels"].items() <= POD["metadata"]["labels"].items()
    assert [port["port"] for port in rule["ports"]] == [FORMGRADER["ports"][0]["containerPort"]]
    policy = manifest("NetworkPolicy", "formgrader")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= POD["metadata"]["labels"].items()
    image = VALUES["singleuser"]["image"]
    assert FORMGRADER["image"] == SETUP["image"] == f"{image['name']}:{image['tag']}"


# --- the image ---

def test_the_dockerfile_never_copies_notebooks_and_the_ignore_file_leaves_them_out():
    copies = dockerfile_copies()
    assert copies
    for sources, _ in copies:
        for source in sources:
            assert not source.startswith(("notebooks", "./notebooks")), source
            assert source not in (".", "./", "*"), "the whole context"
            # what the image copies is in the context
            files = repository_files(source) if (ROOT / source).is_dir() else [ROOT / source]
            assert files, source
            for path in files:
                relative = path.relative_to(ROOT).as_posix()
                if not relative.startswith("grading/keys/"):  # the grader's, left out below
                    assert not dockerignore_excludes(relative), path
    private = repository_files("notebooks") + repository_files("grading/keys")
    assert private
    for path in private:
        assert dockerignore_excludes(path.relative_to(ROOT).as_posix()), path
    for other in ("Makefile", "tests/test_kubernetes.py", "deploy/hub/hub.py", ".git/config",
                  "course/gradebook.db", "course_utils/__pycache__/x.pyc"):
        assert dockerignore_excludes(other), other


def test_the_image_pins_the_charts_release_and_jupyterhub():
    [base] = [args for instruction, args in dockerfile_instructions() if instruction == "FROM"]
    image, tag = base.split(":")
    assert image == "quay.io/jupyterhub/k8s-singleuser-sample"
    assert re.fullmatch(r"\d+\.\d+\.\d+", tag)
    readme = (K8S / "README.md").read_text()
    assert f"--version {tag}" in readme and f"chart {tag}" in (K8S / "values.yaml").read_text()
    [pin] = re.findall(r'"jupyterhub==([\d.]+)"', (K8S / "Dockerfile").read_text())
    assert f"JupyterHub {pin}" in (K8S / "values.yaml").read_text()
    from packaging.requirements import Requirement
    import tomllib
    hub_extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["hub"]
    [requirement] = [Requirement(line) for line in hub_extra]
    assert requirement.name == "jupyterhub" and pin in requirement.specifier


# --- one class through the exchange, as the pods would run it ---

def _nss_wrapper():
    return any(Path(d, "libnss_wrapper.so").exists()
               for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64",
                         "/usr/lib"))


def _python_path():
    return os.pathsep.join([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                            str(ROOT)])


def _other_users_can_import_nbgrader():
    result = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", SYSTEM_PYTHON, "-c",
         "import nbgrader, grading.exchange"], env={"PYTHONPATH": _python_path(), "HOME": "/tmp"},
        capture_output=True, cwd="/")
    return result.returncode == 0


needs_root_and_nss_wrapper = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv") or not Path(SYSTEM_PYTHON).exists()
    or not _nss_wrapper() or not _other_users_can_import_nbgrader(),
    reason="plays students and the grader under their own uids: root, setpriv, "
           "/usr/bin/python3, Debian's libnss-wrapper, and a virtual environment that other "
           "users can read")


class FakeHubAPI(BaseHTTPRequestHandler):
    """The hub's /users/<name>, as nbgrader's JupyterHubAuthPlugin asks it."""
    token, groups = "", {}

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        if self.headers.get("Authorization") != f"token {self.token}" or name not in self.groups:
            self.send_response(403)
            self.end_headers()
            return
        body = json.dumps({"name": name, "groups": self.groups[name]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@needs_root_and_nss_wrapper
def test_a_class_through_the_exchange_with_per_user_uids():
    root = Path(tempfile.mkdtemp(prefix="pytorch-practice-k8s-", dir="/tmp"))
    root.chmod(0o755)
    server = None
    try:
        exchange, grader_home = root / "exchange", root / "grader"
        exchange.mkdir()
        grader_home.mkdir()

        def pod_path(text):
            return text.replace("/srv/nbgrader/exchange", str(exchange)) \
                       .replace("/home/grader", str(grader_home))

        # The formgrader's init container, as root, on the "volumes".
        subprocess.run(["sh", "-c", pod_path(SETUP["command"][2])], check=True)

        # The image's config: the environment's (the exchange, here at its stand-in)
        # and the learner's directory (deploy/learner + the learner's nbgrader config).
        environment, learner = root / "etc-jupyter", root / "learner"
        environment.mkdir()
        image_config = (K8S / "image" / "nbgrader_config.py").read_text()
        assert image_config.count("/srv/nbgrader/exchange") == 1
        (environment / "nbgrader_config.py").write_text(pod_path(image_config))
        shutil.copytree(ROOT / "deploy" / "learner", learner)
        shutil.copyfile(K8S / "image" / "learner_nbgrader_config.py",
                        learner / "nbgrader_config.py")
        for path in (environment, learner):
            subprocess.run(["chmod", "-R", "a+rX", path], check=True)

        token = "test-token"
        FakeHubAPI.token = token
        FakeHubAPI.groups = {"alice": [f"nbgrader-{COURSE_ID}"], "bob": [f"nbgrader-{COURSE_ID}"]}
        server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHubAPI)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        api = f"http://127.0.0.1:{server.server_address[1]}/hub/api"

        # nbgrader's gradebook runs `alembic`; the virtual environment's script starts
        # an interpreter that other users may not reach, so the system's runs it.
        bin_dir = root / "bin"
        bin_dir.mkdir()
        (bin_dir / "alembic").write_text(f'#!/bin/sh\nexec {SYSTEM_PYTHON} -m alembic "$@"\n')
        (bin_dir / "alembic").chmod(0o755)

        def run(uid, command, env, cwd, check=True):
            """``command`` as ``uid`` (its own group, no other), through the image's start.sh."""
            base = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LANG": "C.UTF-8",
                    "PYTHONPATH": _python_path(), "MPLBACKEND": "Agg"}
            result = subprocess.run(
                ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 str(K8S / "image" / "start.sh"), *command],
                env={**base, **env}, cwd=cwd, capture_output=True, text=True, timeout=300)
            if check:
                assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
            return result

        # The grader: formgrader.yaml's uid and environment, the formgrader's config path.
        grader = grader_uid()
        grader_env = {name: pod_path(item["value"]) for name, item in ENV.items()
                      if name.startswith("PYTORCH_PRACTICE_") or name == "HOME"}
        grader_env["JUPYTER_CONFIG_PATH"] = str(environment)  # the image's /usr/local/etc/jupyter
        notebooks = Path(grader_env["PYTORCH_PRACTICE_NOTEBOOKS"])
        run(grader, ["mkdir", "-p", str(notebooks)], grader_env, grader_home)
        run(grader, ["cp", str(ROOT / "notebooks" / f"{CHAPTER}.ipynb"), str(notebooks)],
            grader_env, grader_home)
        run(grader, ["cp", "-r", str(ROOT / "grading" / "keys"), grader_env["PYTORCH_PRACTICE_KEYS"]],
            grader_env, grader_home)
        python = [SYSTEM_PYTHON, "-m"]
        run(grader, [*python, "grading", "release", CHAPTER, "--no-workspace"], grader_env,
            grader_home)
        course = Path(grader_env["PYTORCH_PRACTICE_COURSE"])
        run(grader, [*python, "nbgrader", "release_assignment", CHAPTER], grader_env, course)
        inbound = exchange / COURSE_ID / "inbound"
        assert inbound.stat().st_gid == grader and inbound.stat().st_mode & stat.S_ISGID

        # Two students, with the uids that hub.extraConfig gives them, homes made
        # by the home-owner init container, the learner's config.
        c = extra_config()
        [home_owner] = c.KubeSpawner.init_containers
        students = {}
        for user_id, name in enumerate(["alice", "bob"], start=1):
            uid = c.KubeSpawner.uid(spawner(user_id))
            with pytest.raises(KeyError):  # a uid that this machine has no name for
                pwd.getpwuid(uid)
            home = root / "home" / name
            home.mkdir(parents=True)
            script = home_owner["command"][2].format(userid=user_id)
            pod_home = VALUES["singleuser"]["storage"]["homeMountPath"]
            subprocess.run(["sh", "-c", script.replace(pod_home, str(home))], check=True)
            assert (home.stat().st_uid, stat.S_IMODE(home.stat().st_mode)) == (uid, 0o700)
            env = {"HOME": str(home), "JUPYTERHUB_USER": name, "JUPYTERHUB_API_URL": api,
                   "JUPYTERHUB_API_TOKEN": token,
                   "JUPYTER_CONFIG_PATH": os.pathsep.join([str(learner), str(environment)])}
            students[name] = SimpleNamespace(uid=uid, env=env, home=home)
            for step in ("fetch_assignment", "submit"):
                run(uid, [*python, "nbgrader", step, CHAPTER, "--course", COURSE_ID], env, home)

        # Each submission: named after its student (JUPYTERHUB_USER, through start.sh's
        # name for the uid), owned by them, readable by the grader's group only.
        submissions = {path.name.split("+")[0]: path for path in inbound.iterdir()}
        assert set(submissions) == {"alice", "bob"}
        for name, path in submissions.items():
            info = path.stat()
            assert (info.st_uid, info.st_gid) == (students[name].uid, grader)
            assert stat.S_IMODE(info.st_mode) == 0o770
            notebook = path / f"{CHAPTER}.ipynb"
            assert stat.S_IMODE(notebook.stat().st_mode) == 0o640

        # Bob can neither list the inbound folder nor read Alice's submission.
        bob = students["bob"]
        assert run(bob.uid, ["ls", str(inbound)], bob.env, bob.home, check=False).returncode
        alice_notebook = submissions["alice"] / f"{CHAPTER}.ipynb"
        refused = run(bob.uid, ["cat", str(alice_notebook)], bob.env, bob.home, check=False)
        assert refused.returncode and "Permission denied" in refused.stderr

        # The grader collects both, from the exchange, as in the formgrader's terminal.
        collected = run(grader, [*python, "grading", "collect", str(exchange)], grader_env, course)
        for name in ("alice", "bob"):
            assert re.search(rf"collected {name}\s+{CHAPTER}", collected.stdout), collected.stdout
    finally:
        if server:
            server.shutdown()
        shutil.rmtree(root, ignore_errors=True)

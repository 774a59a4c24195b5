"""start.py, the learner's start on every platform, beyond what runs here on Linux.

The Linux start itself runs in tests/test_learner_lab.py (``python3 start.py``)
and tests/test_browser.py (``python start.py --here``). Here: the parts that
differ on Windows, and that the README documents the commands start.py takes.
"""
import importlib.util
import os
import sys

import pytest

from conftest import ROOT

spec = importlib.util.spec_from_file_location("start", ROOT / "start.py")
start = importlib.util.module_from_spec(spec)
spec.loader.exec_module(start)


def test_the_readme_gives_one_command_per_platform():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Start (learners)"):readme.index("### How you work")]
    for command in ["py start.py", "python3 start.py", "python3.11 start.py",
                    "python start.py --here"]:
        assert f"`{command}`" in section, command
    assert "python start.py --here" in readme[readme.index("## The conda route"):]


def test_the_venv_has_the_platform_layout(monkeypatch, tmp_path):
    assert start.venv_python(tmp_path) == tmp_path / "bin" / "python"
    monkeypatch.setattr(os, "name", "nt")
    assert start.venv_python(tmp_path) == tmp_path / "Scripts" / "python.exe"


def test_the_learner_config_comes_first_with_the_platform_separator(monkeypatch):
    monkeypatch.setattr(os, "pathsep", ";")
    env = start.lab_environment({"JUPYTER_CONFIG_PATH": r"C:\mine;D:\theirs", "HOME": "h"})
    assert env == {"JUPYTER_CONFIG_PATH": rf"{start.LEARNER_CONFIG};C:\mine;D:\theirs",
                   "HOME": "h"}
    assert start.lab_environment({})["JUPYTER_CONFIG_PATH"] == str(start.LEARNER_CONFIG)


def test_the_chinese_edition_opens_lab_in_chinese(tmp_path):
    """A workspace of the Chinese edition: Lab's own settings default to Chinese, and the
    language pack answers; an English one keeps Lab's default."""
    import json
    import urllib.request

    from test_browser import jupyter_lab

    (tmp_path / ".checks").mkdir()
    (tmp_path / ".checks" / "01_overview.json").write_text('{"language": "en"}')
    assert start.workspace_language(tmp_path) == "en"
    assert start.lab_environment({}, "en")["JUPYTER_CONFIG_PATH"] == str(start.LEARNER_CONFIG)
    (tmp_path / ".checks" / "02_linear_model.json").write_text('{"language": "zh"}')
    assert start.workspace_language(tmp_path) == "zh"
    paths = start.lab_environment({}, "zh")["JUPYTER_CONFIG_PATH"]
    assert paths == os.pathsep.join(map(str, [start.CHINESE_CONFIG, start.LEARNER_CONFIG]))

    def get(url):
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.load(response)

    with jupyter_lab(tmp_path, config_path=paths) as url:
        plugin = get(f"{url}/lab/api/settings/@jupyterlab/translation-extension:plugin")
        assert plugin["schema"]["properties"]["locale"]["default"] == "zh_CN", plugin
        pack = get(f"{url}/lab/api/translations/zh_CN")
        assert pack["message"] == "" and pack["data"], pack["message"]
        assert pack["data"]["jupyterlab"]["Run"] == ["运行"]  # the menu that runs the cells


def test_lab_arguments_are_passed_on_and_root_is_allowed(monkeypatch):
    command = start.lab_command("py", ["--port", "9000"])
    assert command[:3] == ["py", "-m", "jupyterlab"]
    assert command[-2:] == ["--port", "9000"]
    assert ("--allow-root" in command) == (os.geteuid() == 0)
    monkeypatch.delattr(os, "geteuid")  # Windows has no uids
    assert "--allow-root" not in start.lab_command("py")


def test_an_old_python_is_told_in_one_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "version_info", (3, 10, 12))
    with pytest.raises(SystemExit) as stopped:
        start.main([])
    assert stopped.value.code == 1
    assert capsys.readouterr().err.startswith("Python >= 3.11 is needed, this is ")

# The learner's Lab loads custom/custom.css (the course's Chinese font). JupyterLab serves
# /custom/ from ServerApp's static_custom_path, which is no config option of its own but a
# tornado setting: here, this folder's custom/ and the font's folder of the installed
# course_utils (found without importing it). jupyter_server_config.json, beside this file,
# has the rest of the learner's server settings.
from importlib.util import find_spec
from pathlib import Path

c = get_config()  # noqa: F821 (Jupyter provides it when it loads this file)
c.LabApp.custom_css = True
fonts = Path(find_spec("course_utils").origin).parent / "fonts"
# A plain dict, not `.update()` on the config: that would leave a LazyConfigValue, which
# JupyterHub's single-user extension cannot read (the hub's user servers would not start).
c.ServerApp.tornado_settings = {
    **(c.ServerApp.tornado_settings if isinstance(c.ServerApp.tornado_settings, dict) else {}),
    "static_custom_path": [str(Path(__file__).resolve().parent / "custom"), str(fonts)]}

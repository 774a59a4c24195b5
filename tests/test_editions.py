"""One source, two editions (English and 中文): the notebooks' prose, the course's messages,
and the grader speaking each submission's language."""
import os
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT, notebook_path, read_notebook
from nbgrader.preprocessors import ClearSolutions
from course_utils import i18n
from course_utils.checks import core
from grading import editions, engine, translations


def toy_source():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Loss", id="intro"),
        nbformat.v4.new_markdown_cell("# 损失", id="intro-zh", metadata={"tags": ["zh"]}),
        nbformat.v4.new_code_cell("x = 1", id="setup", metadata={"tags": ["keep"]}),
        nbformat.v4.new_markdown_cell("Run it.", id="run"),
        nbformat.v4.new_markdown_cell("运行它。", id="run-zh", metadata={"tags": ["zh", "note"]}),
    ]
    return notebook


@pytest.mark.parametrize("language, prose", [("en", ["# Loss", "Run it."]),
                                             ("zh", ["# 损失", "运行它。"])])
def test_an_edition_keeps_its_languages_prose_and_every_code_cell(language, prose):
    source = toy_source()
    edition = editions.edition(source, language)
    assert [cell.source for cell in edition.cells if cell.cell_type == "markdown"] == prose
    assert [cell for cell in edition.cells if cell.cell_type == "code"] == \
        [cell for cell in source.cells if cell.cell_type == "code"]
    assert all("zh" not in cell.metadata.get("tags", ()) for cell in edition.cells)
    assert editions.language_of(edition) == language
    assert len(source.cells) == 5  # the source is left as it was


def test_prose_without_its_other_language_is_found():
    source = toy_source()
    assert editions.problems(source) == []
    del source.cells[1]  # the Chinese intro
    source.cells.append(nbformat.v4.new_markdown_cell("孤儿", id="orphan",
                                                      metadata={"tags": ["zh"]}))
    source.cells.insert(0, nbformat.v4.new_markdown_cell("也是", id="first",
                                                         metadata={"tags": ["zh"]}))
    found = "\n".join(editions.problems(source))
    assert "cell 1 (intro): English prose without its Chinese twin" in found
    assert "(first): Chinese prose that follows no English cell" in found
    assert "(orphan): Chinese prose that follows no English cell" in found


@pytest.mark.parametrize("said, language", [(None, "en"), ("zh", "zh"), ("zh_CN.UTF-8", "zh"),
                                            ("Chinese (Simplified)_China", "zh"), ("en", "en"),
                                            ({"evil": 1}, "en"), ("fr", "en")])
def test_a_notebook_says_its_edition_and_anything_else_is_english(said, language):
    notebook = nbformat.v4.new_notebook()
    if said is not None:
        notebook.metadata["course"] = {"language": said}
    assert editions.language_of(notebook) == language
    assert editions.language_of({"metadata": ["not", "a", "dict"]}) == "en"


def test_every_sentence_the_course_says_has_its_chinese():
    """`python -m grading.translations` keeps the catalogues; this lists what they lack."""
    assert translations.problems("zh") == []
    assert translations.templates(), "no translatable sentence found: is the extraction broken?"


def test_a_sentence_is_one_template_never_one_assembled_in_code(tmp_path, monkeypatch):
    (tmp_path / "ch09.py").write_text('_ = print\nname = "x"\n_(f"{name} is wrong")\n')
    monkeypatch.setattr(translations, "SOURCES", (tmp_path,))
    with pytest.raises(ValueError, match=r"ch09.py:3: _\(\) needs one plain string"):
        translations.templates()


def test_messages_follow_the_language_in_use():
    with i18n.using("zh"):
        chinese = core.not_implemented("mse")
    assert "mse" in chinese and "NotImplementedError" in chinese
    assert chinese != core.not_implemented("mse") and not chinese.isascii()
    with i18n.using("zh"):
        hidden = core.Fail("x", reason="", bug="").hidden_text("mse(…)")
    assert hidden.startswith("mse(…)") and not hidden.isascii()


def test_the_learners_language_comes_from_the_variable_then_the_locale(monkeypatch):
    for name in ("COURSE_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.system_language() == "zh"
    monkeypatch.setenv("COURSE_LANGUAGE", "en")
    assert i18n.system_language() == "en"


def test_the_grader_speaks_the_language_of_the_notebook_handed_in(tmp_path):
    """The same code in both editions: the same score, each message in its notebook's
    language."""
    chapter = "02_linear_model"
    source = read_notebook(notebook_path(chapter))
    ClearSolutions().preprocess(source, {})  # the learner's first version: nothing written
    released = {}
    for language in ("en", "zh"):
        notebook = editions.edition(source, language)
        released[language] = engine.grade(notebook, chapter, "ann", b"secret" * 6,
                                          check_data=None, visible_only=True)
    en, zh = released["en"], released["zh"]
    assert [item.points for item in en.exercises] == [item.points for item in zh.exercises]
    assert [item.score for item in en.exercises] == [item.score for item in zh.exercises]
    assert all(item.message.isascii() for item in en.exercises if item.message)
    assert any(not item.message.isascii() for item in zh.exercises if item.message)


def test_the_learners_language_picks_each_chapters_edition_if_it_is_complete(tmp_path):
    """`start.py` releases with `--language auto`: a learner whose language is Chinese gets
    each chapter in Chinese where its edition is complete, in English where not yet."""
    chapter = "01_overview"
    workspace = tmp_path / "workspace"
    released = subprocess.run(
        [sys.executable, "-m", "grading", "release", chapter, "--language", "auto",
         "--course-dir", tmp_path / "course", "--workspace", workspace],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "COURSE_LANGUAGE": "zh"})
    assert released.returncode == 0, released.stderr
    complete = not editions.problems(read_notebook(notebook_path(chapter)))
    notebook = nbformat.read(workspace / f"{chapter}.ipynb", as_version=4)
    assert editions.language_of(notebook) == ("zh" if complete else "en")
    assert ("(zh)" if complete else "(English: its 中文 edition is not complete yet)") \
        in released.stdout
    assert core.check_data(chapter, workspace)["language"] == editions.language_of(notebook)

"""Chapter 1's notebook: its public contract, the lecture's order and numbers, its figures
and explorers, and the glossary it shares with the README."""
import re

import pytest

from conftest import ROOT, grade_id, notebook_path, read_notebook
from course_utils import glossary
from course_utils.checks import ch01
from course_utils.widgets import ch01 as explorers
from conftest import executed_source
from test_notebooks import stdout_of

NOTEBOOK = notebook_path(ch01.CHAPTER)


@pytest.fixture(scope="module")
def notebook():
    return read_notebook(NOTEBOOK)


@pytest.fixture(scope="module")
def executed():
    return executed_source(ch01.CHAPTER)


def markdown_of(nb):
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def test_public_contract(notebook):
    """The exercise names, signatures and points of the issue's table."""
    points = {exercise.name: exercise.points for exercise in ch01.EXERCISES}
    assert points == {"samples_needed": 1, "edge_fraction": 2, "de_db": 2}
    sources = "\n".join(cell.source for cell in notebook.cells)
    for signature in ["def de_db(a, b):", "def samples_needed(points_per_axis, dims):",
                      "def edge_fraction(eps, dims):"]:
        assert signature in sources
    assert "5 points in all" in notebook.cells[0].source


def test_exercises_come_in_teaching_order(notebook):
    tests = [grade_id(cell).removeprefix("test_") for cell in notebook.cells
             if grade_id(cell).startswith("test_")]
    assert tests == [exercise.name for exercise in ch01.EXERCISES]
    headings = re.findall(r"^### Exercise (\d+): `(\w+)` \((\d+) points?\)$",
                          markdown_of(notebook), re.MULTILINE)
    assert headings == [(str(k), exercise.name, str(exercise.points))
                        for k, exercise in enumerate(ch01.EXERCISES, start=1)]


def test_sections_follow_the_lecture(notebook):
    headings = re.findall(r"^## (.+)$", markdown_of(notebook), re.MULTILINE)
    order = ["What learning is", "From rules to deep learning", "curse of dimensionality",
             "back-propagation", "perceptron to ResNet",
             "Frameworks", "next chapters", "Glossary"]
    found = [next(i for i, heading in enumerate(headings) if words in heading)
             for words in order]
    assert found == sorted(found), headings


@pytest.mark.parametrize("line", [
    " 1 dimension: 10 samples",
    "10 dimensions: 10000000000 samples",
    "30 dimensions: 1000000000000000000000000000000 samples",
    " 10 dimensions: 0.65132 of the cube lies within 0.05 of its surface",
    "100 dimensions: 0.99997 of the cube lies within 0.05 of its surface",
    "share of the spread along each principal direction: [0.5912 0.4081 0.0007]",
    "  1 dimension: 0.10000 of the cube lies within 0.05 of its surface",
    "c = 3.0, d = 2.0, e = 6.0",
    "de_db(2, 1) = 5.0",
    "(e(a, b + h) - e(a, b - h)) / 2h = 5.0000",
])
def test_prints_what_its_markdown_promises(executed, line):
    assert line in stdout_of(executed).splitlines()


def outputs(nb, kind):
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
            if kind in out.get("data", {})]


def test_figures_explorers_and_glossary_render(executed):
    assert len(outputs(executed, "image/png")) == 2, "the pipeline diagram and the timeline"
    assert len(outputs(executed, "application/vnd.jupyter.widget-view+json")) == 2
    state = executed.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    readouts = [model["state"]["value"] for model in state.values()
                if model["model_name"] == "HTMLModel"]
    assert len(readouts) == 2 and not any("⚠" in text for text in readouts)
    assert any("<b>d = 2</b>" in text for text in readouts)
    assert any(explorers.TANGENT_VERDICTS[True] in text for text in readouts)
    [table] = outputs(executed, "text/markdown")
    assert table["data"]["text/markdown"] == glossary.markdown_table(chapter=1)
    assert "overfitting" not in table["data"]["text/markdown"], "chapter 2's term"


# ------------------------------------------------------------------ glossary


def test_glossary_rows_are_well_formed():
    english = [row[0] for row in glossary.TERMS]
    assert len(set(english)) == len(english)
    assert {row[2] for row in glossary.TERMS} == {1, 2, 3, 4}
    for english_term, chinese, chapter in glossary.TERMS:
        assert english_term.strip() and chinese.strip() and "|" not in english_term + chinese
    assert glossary.terms(1) and all(row[2] == 1 for row in glossary.terms(1))


def test_markdown_table_has_one_line_per_term():
    lines = glossary.markdown_table().splitlines()
    assert lines[:2] == ["| English | 中文 | chapter |", "|---|---|---|"]
    assert len(lines) == 2 + len(glossary.TERMS)
    assert "| curse of dimensionality | 维度诅咒 | 1 |" in lines


def test_chapter_1_terms_appear_in_its_notebook_in_chinese(notebook):
    text = markdown_of(notebook)
    for english, chinese, _ in glossary.terms(1):
        for part in re.split(r"[（）]", chinese):
            assert not part or part in text, (english, part)


def test_readme_shows_the_glossary_table():
    """The README's glossary is the one generated here: paste markdown_table() into it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if glossary.markdown_table() not in readme:
        pytest.fail("README.md lacks the glossary table, or holds an old one: paste the text "
                    "of course_utils.glossary.markdown_table() into it")

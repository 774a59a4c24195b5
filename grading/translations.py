"""Keeping the course's translations: ``python -m grading.translations [--check]``.

Finds every ``_("…")`` of the code that speaks to learners (see :mod:`course_utils.i18n`),
brings ``course_utils/locale/<language>/<domain>.po`` up to date with it (new sentences come in
untranslated, gone ones leave, translations stay) and lists what is missing. Translate the
empty ``msgstr`` entries with any PO editor (Poedit, Weblate, a text editor).
"""
import ast
import sys
from pathlib import Path

from course_utils.i18n import LOCALE_DIR, catalogue, domain, fields

# What says something to a learner: the course's helpers, the grader (its self-check and
# feedback pages) and the answer keys' descriptions of bugs (marked N_).
SOURCES = (LOCALE_DIR.parent, Path(__file__).parent)


def templates():
    """``{domain: {English template: [(file, line), …]}}`` of every ``_("…")`` in the code,
    and of every ``N_("…")``: a sentence marked where it is written (say, a bug's description
    in an answer key) and translated where it is shown (``_.template(description)``).

    Raises ValueError for a call whose template is not one plain string: a sentence
    chosen or assembled in code cannot be translated as a whole.
    """
    found = {}
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in ("_", "N_")):
                    continue
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and type(first.value) is str):
                    raise ValueError(f"{path}:{node.lineno}: {node.func.id}() needs one plain "
                                     "string: the whole sentence, with {named} fields")
                found.setdefault(domain(path.name), {}).setdefault(first.value, []).append(
                    (path.relative_to(SOURCES[0].parent).as_posix(), node.lineno))
    return found


def update(language="zh"):
    """Bring ``locale/<language>/*.po`` up to date with the code: new templates come in
    untranslated, gone ones leave, translations stay. Returns the files written."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po
    written = []
    for name, found in sorted(templates().items()):
        path = LOCALE_DIR / language / f"{name}.po"
        old, created = {}, None
        if path.is_file():
            with open(path, "rb") as handle:
                previous = read_po(handle)
            old = {message.id: message.string for message in previous if message.id}
            created = previous.creation_date
        new = Catalog(locale="zh_Hans_CN" if language == "zh" else language, domain=name,
                      project="PyTorch深度学习实践", version="", copyright_holder="",
                      msgid_bugs_address="", last_translator="", language_team="",
                      creation_date=created, revision_date=created, fuzzy=False,
                      header_comment=f"# The {language} of what the course's {name} modules say "
                                     "to learners.\n# Kept by `python -m course_utils.i18n`: "
                                     "translate the empty msgstr entries.")
        for template, places in found.items():
            new.add(template, old.get(template, ""), locations=places,
                    flags=("python-brace-format",) if fields(template) else ())
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            write_po(handle, new, width=100, include_lineno=False)
        written.append(path)
    catalogue.cache_clear()
    return written


def problems(language="zh"):
    """What the catalogues of ``language`` lack: untranslated templates, translations whose
    ``{fields}`` differ from their template's, catalogues out of date with the code."""
    found = []
    for name, templates_ in sorted(templates().items()):
        translated = catalogue(name, language)
        for template, places in templates_.items():
            where = "{}:{}".format(*places[0])
            if template not in translated:
                found.append(f"{where}: no {language} for {template!r}")
            elif fields(translated[template]) != fields(template):
                found.append(f"{where}: the {language} of {template!r} has the fields "
                             f"{sorted(fields(translated[template]))}, not {sorted(fields(template))}")
    return found


if __name__ == "__main__":
    if "--check" not in sys.argv:
        for path in update():
            print(f"wrote {path}")
    missing = problems()
    print("\n".join(missing) or "every sentence has its Chinese")
    sys.exit(1 if missing and "--check" in sys.argv else 0)

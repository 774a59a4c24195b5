"""The course in English and 中文: which language a learner reads, and the Chinese of every
sentence the course's code says to them.

A learner-facing sentence is written once, in English, as a template with named fields,
and goes through its module's translator::

    from ..i18n import translator
    _ = translator(__name__, CHAPTER)
    raise Fail(_("{call} returned {got}, expected {want}.", call=text, got=..., want=...))

The English template is the message id of a gettext catalogue: ``locale/zh/<domain>.po``
beside this module holds its Chinese (one catalogue per chapter, ``ch02`` for the modules named
``ch02``, and ``core`` for every other module, the grader's self-check included), and the fields are filled in after translation, so every entry keeps
the ``{names}`` of its id. ``python -m grading.translations`` brings the catalogues up to
date with the code; ``tests/test_editions.py`` fails on a sentence without its Chinese.

Which language: the one :func:`using` sets (the grader, for each submission: the language
of the notebook handed in), else the edition of the chapter's notebook (its check data,
written by the release, says it), else ``COURSE_LANGUAGE``, else English.
"""
import contextlib
import contextvars
import os
import re
import string
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "zh")
DEFAULT = "en"
LOCALE_DIR = Path(__file__).with_name("locale")

_chosen = contextvars.ContextVar("course_language", default=None)


def normalise(language):
    """``"zh"`` for ``zh``, ``zh_CN.UTF-8``, ``zh-Hans``, Windows' ``Chinese (Simplified)_China``
    …; ``"en"`` for anything else."""
    said = str(language or "").lower()
    return "zh" if said.startswith(("zh", "chinese")) else DEFAULT


def system_language():
    """The learner's choice: ``COURSE_LANGUAGE`` if set, else the system's locale."""
    import locale
    chosen = os.environ.get("COURSE_LANGUAGE")
    if chosen:
        return normalise(chosen)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):  # as gettext reads them (POSIX)
        if os.environ.get(name):
            return normalise(os.environ[name])
    return normalise(locale.getlocale()[0])  # Windows: the user's locale, e.g. Chinese_China


def language(chapter=None):
    """The language a learner of ``chapter`` (e.g. ``"02_linear_model"``) reads now."""
    chosen = _chosen.get()
    if chosen:
        return chosen
    # The release wrote the edition's language into the check data beside the notebook (the
    # kernel's working directory): the chapter's, or without a chapter any chapter's there.
    from .checks.core import CHECK_DATA, check_data
    if chapter:
        found = [check_data(chapter)]
    else:
        folder = Path.cwd() / CHECK_DATA
        found = [check_data(path.stem) for path in sorted(folder.glob("*.json"))[:8]] \
            if folder.is_dir() else []
    for data in found:
        if type(data) is dict and data.get("language") in LANGUAGES:
            return data["language"]
    return normalise(os.environ.get("COURSE_LANGUAGE"))


@contextlib.contextmanager
def using(language):
    """Speak ``language`` in this thread (or task) until the block ends."""
    token = _chosen.set(normalise(language))
    try:
        yield
    finally:
        _chosen.reset(token)


def fields(template):
    """The names of the ``{fields}`` of a template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def catalogue(domain, language):
    """``{English template: translation}`` of ``domain`` in ``language`` (empty for English)."""
    path = LOCALE_DIR / language / f"{domain}.po"
    if language == DEFAULT or not path.is_file():
        return {}
    from babel.messages.pofile import read_po
    with open(path, "rb") as handle:
        return {message.id: message.string for message in read_po(handle)
                if message.id and message.string and not message.fuzzy}


class translator:
    """``_ = translator(__name__, CHAPTER)``: ``_(template, **fields)`` is the template in the
    learner's language with its fields filled in. The module's name gives the catalogue
    (:func:`domain`); ``chapter`` picks the edition when nothing else does (:func:`language`)."""

    def __init__(self, module, chapter=None):
        self.domain, self.chapter = domain(module), chapter

    def __call__(self, template, /, **values):
        return self.template(template).format(**values) if values else self.template(template)

    def template(self, template):
        """The template itself, translated, with its fields still to fill."""
        return catalogue(self.domain, language(self.chapter)).get(template, template)


def N_(sentence):
    """Marks ``sentence`` for translation where it is written (an answer key's description of
    a bug, a table of labels); the code that shows it translates it then, with
    ``_.template(sentence)``."""
    return sentence


def domain(module):
    """The catalogue of a module (a dotted name or a file): ``ch02`` for ``…ch02``, else
    ``core``."""
    stem = Path(module).stem if module.endswith(".py") else module.rpartition(".")[2]
    return stem if re.fullmatch(r"ch\d\d", stem) else "core"

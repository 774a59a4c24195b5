"""Rebuild the course's Chinese font from Noto Sans CJK (maintainers only).

::

    python -m course_utils.fonts                     # from Debian's fonts-noto-cjk
    python -m course_utils.fonts --source DIR        # a folder with NotoSansCJK-{Regular,Bold}.ttc

The font holds exactly the wide characters (:func:`is_wide`: 汉字, full-width
punctuation) of the course's text (:func:`course_characters`), so run this
after adding Chinese to a notebook, to ``course_utils`` or to the README;
``tests/test_fonts.py`` fails until the font has every one. The source
fonts are needed only here (``apt-get install fonts-noto-cjk``), never by
learners or CI. The output is the same for the same characters and source.
"""
import argparse
import json
import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

from . import FAMILY, FILES

REPO = Path(__file__).resolve().parents[2]
DEBIAN_FONTS = Path("/usr/share/fonts/opentype/noto")
SOURCE_FACE = "Noto Sans CJK SC"
SOURCE_FILES = {"regular": "NotoSansCJK-Regular.ttc", "bold": "NotoSansCJK-Bold.ttc"}


def is_wide(char):
    """Whether ``char`` is drawn as a wide (East Asian) character, which Latin fonts lack.
    Emoji (wide symbols, such as 🔁) are not: a CJK font has none; the system's emoji font
    draws them."""
    return unicodedata.east_asian_width(char) in ("W", "F") and unicodedata.category(char) != "So"


def course_files(repo=REPO):
    """The files whose text a learner sees: notebooks, ``course_utils`` and its translations,
    the READMEs, the Lab's config."""
    learner = repo / "deploy" / "learner"
    return sorted([*(repo / "notebooks").glob("*.ipynb"), *(repo / "course_utils").rglob("*.py"),
                   *(repo / "course_utils").rglob("*.po"), *repo.glob("README*.md"),
                   *(path for path in learner.rglob("*") if path.suffix in (".json", ".css"))])


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def course_characters(repo=REPO):
    """``{character: first file that has it}`` for every wide character of the course's text."""
    found = {}
    for path in course_files(repo):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":  # the cells' text, however the JSON escapes it
            text = "".join(_strings(json.loads(text)))
        for char in text:
            if is_wide(char):
                found.setdefault(char, path.relative_to(repo))
    return found


def _face(collection_path):
    for font in TTCollection(str(collection_path)).fonts:
        if font["name"].getDebugName(1) == SOURCE_FACE:
            return font
    raise SystemExit(f"{collection_path} has no face {SOURCE_FACE!r}")


def _rename(font, style):
    """Give the subset its own name, so that it is never taken for the full Noto Sans CJK."""
    style_name = style.capitalize()
    postscript = f"{FAMILY.replace(' ', '')}-{style_name}"
    names = {1: FAMILY, 2: style_name, 3: f"{postscript};course subset", 4: f"{FAMILY} {style_name}",
             6: postscript, 16: FAMILY, 17: style_name}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names:
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    cff = font["CFF "].cff
    top = cff[cff.fontNames[0]]
    top.FamilyName, top.FullName = FAMILY, f"{FAMILY} {style_name}"
    cff.fontNames = [postscript]


def build(source=DEBIAN_FONTS, repo=REPO, files=FILES):
    """Write each of ``files`` as the subset of its source face; return the characters."""
    characters = course_characters(repo)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    for style, target in files.items():
        font = _face(Path(source) / SOURCE_FILES[style])
        font.recalcTimestamp = False  # the same bytes for the same characters and source
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(map(ord, characters)))
        subsetter.subset(font)
        _rename(font, style)
        font.save(str(target))
    return characters


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course_utils.fonts",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEBIAN_FONTS,
                        help="folder with NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc "
                             "(default: %(default)s, Debian's fonts-noto-cjk)")
    args = parser.parse_args(argv)
    missing = [name for name in SOURCE_FILES.values() if not (args.source / name).is_file()]
    if missing:
        parser.error(f"no {', '.join(missing)} in {args.source}: "
                     "apt-get install fonts-noto-cjk, or give --source")
    characters = build(args.source)
    for path in FILES.values():
        print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size // 1024} kB)")
    print(f"{len(characters)} characters: {''.join(sorted(characters))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""An exercise not written yet, in the learner's kernel: one short message, no traceback.

The release replaces each solution by ``raise NotImplementedError()``. On a
fresh notebook, *Run All* stops at the first cell that calls such a function
(the demo cell after the first exercise), or at the exercise's own cell when
its answer is a value. Instead of a traceback into the learner's own stub,
that cell shows one short message naming what to write. Any other
``NotImplementedError`` keeps IPython's usual traceback. Introduced in
chapter 1; installed by ``import course_utils`` in a notebook.
"""
import linecache
import re

from .i18n import translator

_ = translator(__name__)

_VALUE = re.compile(r"^(\w+)\s*=\s*None\b", re.MULTILINE)


def _notebook_code(filename):
    """Whether ``filename`` is the code of a notebook cell (ipykernel's or IPython's)."""
    return "ipykernel_" in filename or filename.startswith("<ipython-input")


def message(tb):
    """The short message for a stub's NotImplementedError with traceback ``tb``, or None
    when the error comes from elsewhere (a library, a message of its own)."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    if not _notebook_code(code.co_filename):
        return None
    if code.co_name != "<module>":
        return _("{name} is not written yet: in its exercise's cell, replace "
                 "`raise NotImplementedError()` with your code and run that cell, then this one.",
                 name=code.co_name)
    value = _VALUE.search("".join(linecache.getlines(code.co_filename)))
    if value:
        return _("{name} is not written yet: replace `raise NotImplementedError()` in this cell "
                 "with your answer, then run the cell again.", name=value[1])
    return _("An exercise above is not written yet: replace `raise NotImplementedError()` in "
             "its cell with your code and run it.")


def _handler(shell, etype, value, tb, tb_offset=None):
    # IPython leaves showing the error to a custom handler.
    text = message(tb) if not str(value) else None
    if text is None:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    else:
        stb = ["\x1b[1;31m✗ " + text + "\x1b[0m"]
    shell._showtraceback(etype, value, stb)
    return stb


def install():
    """Show stubs' errors as :func:`message` in the running IPython kernel, if any."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        shell.set_custom_exc((NotImplementedError,), _handler)

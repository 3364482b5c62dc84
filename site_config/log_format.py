"""Log lines for stdout: one line per event, even for an exception.

A request error becomes `... ERROR django.request Internal Server Error: /search/ |
RuntimeError: boom | at causes/views.py:132 in search`: the exception and where in this
project's code it came from, so one line says what failed and where. Log collectors then
never split a traceback across records.
"""

import logging
import traceback
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent) + "/"


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        exc_info, record.exc_info, record.exc_text = record.exc_info, None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info = exc_info
        if exc_info and exc_info[0] is not None:
            line += " | " + describe(exc_info[1])
        return line.replace("\n", " ")


def describe(error: BaseException) -> str:
    """'RuntimeError: boom | at causes/views.py:132 in search', naming the innermost frame
    of this project's code, and the frame that raised if that was elsewhere."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename.startswith(ROOT) and "/.venv/" not in f.filename]
    shown = [ours[-1]] if ours else []
    if frames and (not ours or frames[-1] is not ours[-1]):
        shown.append(frames[-1])
    where = " raised in ".join(
        f"{f.filename.removeprefix(ROOT)}:{f.lineno} in {f.name}" for f in shown
    )
    return f"{type(error).__name__}: {error} | at {where}"

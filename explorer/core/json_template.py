"""JSON bodies as the user writes them: JSON text that may still hold ``{{variables}}``.

The builder checks a body while it is typed and before it is sent, long before the variables are
filled in, so ``{"qty": {{qty}}}`` must pass (the core expands it to ``{"qty": 3}`` and validates
the result again). Outside strings a placeholder stands for any one JSON value; inside a string
it is text, so it needs no special case. Each placeholder outside a string is checked as ``null``
padded to the placeholder's length (its line breaks kept), so a real error still has the line and
column the user sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from explorer.core import safe_parse
from explorer.core.templating import VARIABLE

__all__ = ["JsonProblem", "json_problem", "with_stand_ins"]

_STAND_IN = "null"
_LINE_BREAKS = "\r\n"


@dataclass(frozen=True, slots=True)
class JsonProblem:
    """Where (1-based, as an editor counts) and why the text is not JSON."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.message}."


def json_problem(text: str) -> JsonProblem | None:
    """None when ``text`` is blank or valid JSON once each placeholder is a value."""
    if not text.strip():
        return None
    try:
        safe_parse.loads(with_stand_ins(text))
    except json.JSONDecodeError as exc:
        return JsonProblem(exc.lineno, exc.colno, exc.msg)
    except safe_parse.NestingError as exc:
        return JsonProblem(1, 1, str(exc))
    return None


def with_stand_ins(text: str) -> str:
    """``text`` with every placeholder outside a string replaced by a padded ``null``."""
    out: list[str] = []
    in_string = escaped = False
    i = 0
    while i < len(text):
        char = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{" and (match := VARIABLE.match(text, i)) is not None:
            out.append(_stand_in(match.group(0)))
            i = match.end()
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _stand_in(placeholder: str) -> str:
    """``null`` and spaces, as long as ``placeholder`` and with its line breaks, so positions
    after it are unchanged. A placeholder is at least five characters (``{{a}}``)."""
    padding = [c if c in _LINE_BREAKS else " " for c in placeholder]
    spaces = [i for i, c in enumerate(padding) if c == " "][: len(_STAND_IN)]
    for i in reversed(spaces):
        del padding[i]
    return _STAND_IN + "".join(padding)

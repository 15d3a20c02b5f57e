"""The JSONPath subset assertions and captures use: ``$``, ``.name``, ``['name']``, ``[n]``
(negative counts from the end), ``[*]`` and ``.*``.

Small on purpose: these paths pick a value out of one response (an id from a create, a status
field), and a full JSONPath engine with filters and scripts would be a dependency and an attack
surface for no gain here. An unknown construct is a ``FormatError`` naming the path, so a typo
fails the assertion loudly instead of matching nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from explorer.core.errors import FormatError

__all__ = ["compile_path", "find"]

_STEP = re.compile(
    r"""\.(?P<name>[A-Za-z_$@][\w$@-]*)      # .name
      | \.\*|\[\*\]                          # .* or [*]
      | \[(?P<index>-?\d+)\]                 # [3] or [-1]
      | \[(?P<q>['"])(?P<quoted>.*?)(?P=q)\] # ['a b'] or ["a b"]
    """,
    re.VERBOSE,
)
WILDCARD = object()
Step = str | int | object


@lru_cache(maxsize=512)
def compile_path(path: str) -> tuple[Step, ...]:
    """The steps of ``path``: names (str), indices (int) and ``WILDCARD``."""
    text = path.strip()
    if not text.startswith("$"):
        raise FormatError(f"JSONPath '{path}' must start with $ (for example $.data[0].id)")
    steps: list[Step] = []
    position = 1
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None:
            raise FormatError(
                f"JSONPath '{path}' is not understood at '{text[position:]}'; use .name, "
                "['name'], [index] or [*]"
            )
        if match.group("name") is not None:
            steps.append(match.group("name"))
        elif match.group("index") is not None:
            steps.append(int(match.group("index")))
        elif match.group("quoted") is not None:
            steps.append(match.group("quoted"))
        else:
            steps.append(WILDCARD)
        position = match.end()
    return tuple(steps)


def find(document: Any, path: str) -> list[Any]:
    """Every value ``path`` selects in ``document`` (parsed JSON), in document order."""
    current = [document]
    for step in compile_path(path):
        following: list[Any] = []
        for value in current:
            following.extend(_apply(value, step))
        current = following
    return current


def _apply(value: Any, step: Step) -> list[Any]:
    if step is WILDCARD:
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    if isinstance(step, int):
        if isinstance(value, list) and -len(value) <= step < len(value):
            return [value[step]]
        return []
    if isinstance(value, dict) and step in value:
        return [value[step]]
    return []

"""Body formatting shared by the CLI and the viewer: pretty-printing and lexer choice.

The lexer is chosen from the media type the way HTTPie does, structured suffixes included
(``application/problem+json`` is JSON), so the two front ends always agree.
"""

from __future__ import annotations

from explorer.core import safe_parse

PRETTY_LIMIT = 32 * 1024 * 1024

_BY_SUFFIX = {"json": "json", "xml": "xml", "yaml": "yaml"}
_BY_TYPE = {
    "application/json": "json",
    "text/json": "json",
    "application/javascript": "javascript",
    "text/javascript": "javascript",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/html": "html",
    "text/css": "css",
    "application/x-yaml": "yaml",
    "application/yaml": "yaml",
    "text/yaml": "yaml",
    "application/x-www-form-urlencoded": "text",
}


def language_for(content_type: str, text_start: str = "") -> str:
    """A short language name (json, xml, html, ...) for a media type; sniffs when vague."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _BY_TYPE:
        return _BY_TYPE[media]
    _, _, suffix = media.rpartition("+")
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    stripped = text_start.lstrip()[:1]
    if media in ("", "text/plain", "application/octet-stream") and stripped in ("{", "["):
        return "json"
    if stripped == "<":
        return "xml" if text_start.lstrip().startswith("<?xml") else "html"
    return "text"


def pretty(text: str, language: str) -> str:
    """Indented JSON when it parses and is neither huge nor nested deeper than
    ``safe_parse.MAX_DEPTH``; otherwise the text unchanged."""
    if language != "json" or len(text) > PRETTY_LIMIT:
        return text
    try:
        value = safe_parse.loads(text)
    except ValueError:
        return text
    return safe_parse.dumps(value, indent=2, ensure_ascii=False)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"

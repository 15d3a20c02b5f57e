"""One error shape for every vendor: ``Problem(status, code, title, detail, fields, ...)``.

Each vendor reports failures its own way (RFC 9457 problem+json, PCE ``errorCode``, ServiceChannel
``ErrorCodes/ErrorMessage``, Flexiti ``field_errors``, OAuth2 ``error/error_description``, Azure
APIM ``statusCode/message``, PriceEdge's ``{Data, Errors, Succeeded}`` envelope, which can fail
with HTTP 200). The UI's Problem tab and ``send -v`` show this one shape, so nobody has to read
five error formats. Detection is by the body's keys, not by provider, because gateways in front of
an API (APIM before Procode) answer in their own format.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from explorer.core import safe_parse
from explorer.core.ratelimit import HeaderLookup, parse_retry_after

__all__ = ["FieldError", "Problem", "normalise"]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input named by the server (Flexiti ``field_errors``, problem ``errors``)."""

    name: str
    message: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A failed call in one shape. ``format`` names the vendor format it was read from."""

    status: int
    code: str | None
    title: str
    detail: str | None
    fields: tuple[FieldError, ...] = ()
    retry_after: float | None = None
    raw: Any = None
    format: str = "generic"

    def summary(self) -> str:
        """One line for a status bar or ``send -v``."""
        parts = [f"{self.status}"]
        if self.code:
            parts.append(self.code)
        parts.append(self.title)
        line = " ".join(parts)
        if self.detail and self.detail != self.title:
            line += f": {self.detail}"
        if self.fields:
            line += " [" + "; ".join(f"{f.name}: {f.message}" for f in self.fields) + "]"
        if self.retry_after is not None:
            line += f" (retry after {self.retry_after:g} s)"
        return " ".join(line.split())  # a server's line breaks must not break our one line


def normalise(
    status: int,
    headers: HeaderLookup | None,
    body: bytes | str | None,
    *,
    reason: str = "",
    now: float | None = None,
) -> Problem | None:
    """The problem a response reports, or None when it reports success.

    A 2xx is a problem only when its body says so (PriceEdge ``Succeeded: false``). ``headers``
    must look names up case-insensitively (``models.Headers`` or a ``requests`` structure).
    """
    retry_after = _retry_after(headers, now)
    data = _json(body)
    if isinstance(data, dict):
        for reader in _READERS:
            found = reader(status, data)
            if found is not None:
                if 200 <= status < 300 and found.format != "envelope":
                    return None
                return _with(found, retry_after, data)
    if 200 <= status < 300:
        return None
    detail = _text_head(body)
    return Problem(
        status=status,
        code=None,
        title=reason or _default_title(status),
        detail=detail or None,
        retry_after=retry_after,
        raw=data if data is not None else detail,
    )


def _with(problem: Problem, retry_after: float | None, raw: Any) -> Problem:
    return Problem(
        status=problem.status,
        code=problem.code,
        title=problem.title,
        detail=problem.detail,
        fields=problem.fields,
        retry_after=retry_after,
        raw=raw,
        format=problem.format,
    )


def _rfc9457(status: int, data: dict[str, Any]) -> Problem | None:
    if not ({"type", "title"} <= data.keys() or ({"title", "status"} <= data.keys())):
        return None
    type_ = _str(data.get("type"))
    code = None if type_ in (None, "about:blank") else type_.rstrip("/").rsplit("/", 1)[-1]
    fields = _fields(data.get("errors") or data.get("invalid_params") or data.get("invalid-params"))
    return Problem(
        status=_int(data.get("status"), status),
        code=code,
        title=_str(data.get("title")) or _default_title(status),
        detail=_str(data.get("detail")),
        fields=fields,
        format="rfc9457",
    )


def _envelope(status: int, data: dict[str, Any]) -> Problem | None:
    if "Succeeded" not in data or ("Errors" not in data and "Data" not in data):
        return None
    errors = data.get("Errors") or []
    if data.get("Succeeded") is not False and not (status >= 400 or errors):
        return Problem(status, None, "", None, format="none")  # success: caller returns None
    messages = [_error_text(e) for e in errors] if isinstance(errors, list) else [str(errors)]
    return Problem(
        status=status,
        code=None,
        title="Request failed" if 200 <= status < 300 else _default_title(status),
        detail="; ".join(m for m in messages if m) or None,
        format="envelope",
    )


def _servicechannel(status: int, data: dict[str, Any]) -> Problem | None:
    if "ErrorMessage" not in data and "ErrorCodes" not in data:
        return None
    codes = data.get("ErrorCodes")
    code = _str(data.get("ErrorCode"))
    if code is None and isinstance(codes, list) and codes:
        code = ",".join(str(c) for c in codes)
    message = _str(data.get("ErrorMessage"))
    return Problem(
        status, code, message or _default_title(status), message, format="servicechannel"
    )


def _pce(status: int, data: dict[str, Any]) -> Problem | None:
    if "errorCode" not in data:
        return None
    message = _str(data.get("message"))
    details = data.get("details")
    detail = _str(details) if not isinstance(details, list | dict) else json.dumps(details)
    return Problem(
        status,
        _str(data.get("errorCode")),
        message or _default_title(status),
        detail or message,
        fields=_fields(details),
        format="pce",
    )


def _flexiti(status: int, data: dict[str, Any]) -> Problem | None:
    if "field_errors" not in data and not ({"error", "message"} <= data.keys()):
        return None
    message = _str(data.get("message"))
    return Problem(
        status,
        _str(data.get("error")),
        message or _default_title(status),
        message,
        fields=_fields(data.get("field_errors")),
        format="flexiti",
    )


def _oauth2(status: int, data: dict[str, Any]) -> Problem | None:
    raw = data.get("error")
    code = _str(raw) if isinstance(raw, str) else None  # an object is OData's (``_odata``)
    if code is None:
        return None
    description = _str(data.get("error_description"))
    return Problem(status, code, description or code, description, format="oauth2")


def _apim(status: int, data: dict[str, Any]) -> Problem | None:
    if "statusCode" not in data or "message" not in data:
        return None
    message = _str(data.get("message"))
    return Problem(
        _int(data.get("statusCode"), status),
        None,
        message or _default_title(status),
        message,
        format="apim",
    )


def _odata(status: int, data: dict[str, Any]) -> Problem | None:
    """The OData / ASP.NET API-versioning / Microsoft REST error: ``{"error": {"code",
    "message", "details": [...]}}`` (ServiceChannel's ``UnsupportedApiVersion``, Azure, Graph),
    either letter case."""
    error = data.get("error", data.get("Error"))
    if not isinstance(error, dict):
        return None
    code = _str(error.get("code", error.get("Code")))
    message = _str(error.get("message", error.get("Message")))
    if code is None and message is None:
        return None
    details = error.get("details", error.get("Details"))
    return Problem(
        status=status,
        code=code,
        title=message or _default_title(status),
        detail=None,
        fields=_fields(details) if isinstance(details, list) else (),
        format="odata",
    )


def _plain_message(status: int, data: dict[str, Any]) -> Problem | None:
    """ASP.NET's ``{"Message": ...}`` (PriceEdge 401) and ServiceChannel's ``{"Reason": ...}``."""
    message = _str(data.get("Message")) or _str(data.get("Reason")) or _str(data.get("message"))
    if message is None or status < 400:
        return None
    return Problem(status, None, _default_title(status), message, format="message")


_READERS = (
    _rfc9457,
    _envelope,
    _servicechannel,
    _pce,
    _flexiti,
    _oauth2,
    _apim,
    _odata,
    _plain_message,
)


def _fields(value: Any) -> tuple[FieldError, ...]:
    if isinstance(value, dict):
        return tuple(
            FieldError(str(k), _error_text(v)) for k, v in value.items() if v not in (None, "")
        )
    if not isinstance(value, list):
        return ()
    fields = []
    for item in value:
        if not isinstance(item, dict):
            continue
        name = _str(
            item.get("param")
            or item.get("name")
            or item.get("field")
            or item.get("pointer")
            or item.get("target")
        )
        message = _str(
            item.get("msg") or item.get("message") or item.get("reason") or item.get("detail")
        )
        if name or message:
            value_ = item.get("value")
            fields.append(
                FieldError(name or "", message or "", None if value_ is None else str(value_))
            )
    return tuple(fields)


def _error_text(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("Message", "message", "ErrorMessage", "msg", "detail", "Description"):
            if isinstance(item.get(key), str):
                return str(item[key])
        return json.dumps(item)
    if isinstance(item, list):
        return "; ".join(_error_text(i) for i in item)
    return str(item)


def _json(body: bytes | str | None) -> Any:
    if not body:
        return None
    try:
        return safe_parse.loads(body)  # too deep is "not JSON" here: the normaliser never fails
    except (ValueError, UnicodeDecodeError):
        return None


def _text_head(body: bytes | str | None, limit: int = 300) -> str:
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if _HTML.match(text):
        # An error page (a proxy's 502, an HTML 500): its words, not its markup.
        text = _TAG.sub(" ", _INVISIBLE.sub(" ", text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_HTML = re.compile(r"\s*<(!doctype html|html|head|body|h1|title)\b", re.IGNORECASE)
_INVISIBLE = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _retry_after(headers: HeaderLookup | None, now: float | None) -> float | None:
    if headers is None:
        return None
    value = headers.get("Retry-After")
    return parse_retry_after(value, now) if value else None


def _str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _default_title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"

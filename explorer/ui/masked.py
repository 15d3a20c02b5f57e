"""Values history kept only masked (``redaction.MASK``), taken out of a reopened request.

History never stores a secret: a credential header, an auth password or a known secret value is
saved as ``••••••``. Reopening such a request and pressing Send used to send the bullets. Here a
masked header, parameter, form field or auth value is emptied, and a masked part of the URL or
body text is cut out, and every one is named, so the builder can flag it and the user re-enters
it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from explorer.core.models import AuthSpec, Body, KeyValue, RequestSpec
from explorer.core.redaction import MASK

#: What a flagged field says (placeholder and tooltip).
NOT_KEPT = "secret not kept in history: re-enter it"


@dataclass(frozen=True, slots=True)
class Unmasked:
    """``spec`` without masked values; which header and parameter rows were emptied (their
    indices), and a name for every emptied field."""

    spec: RequestSpec
    header_rows: frozenset[int] = frozenset()
    param_rows: frozenset[int] = frozenset()
    fields: tuple[str, ...] = ()


def without_masks(spec: RequestSpec) -> Unmasked:
    fields: list[str] = []
    headers, header_rows = _rows(spec.headers, "header", fields)
    params, param_rows = _rows(spec.params, "parameter", fields)
    url = spec.url
    if MASK in url:
        url = url.replace(MASK, "")
        fields.append("the URL")
    return Unmasked(
        replace(
            spec,
            url=url,
            headers=headers,
            params=params,
            body=_body(spec.body, fields),
            auth=_auth(spec.auth, fields),
        ),
        header_rows,
        param_rows,
        tuple(fields),
    )


def _rows(
    rows: tuple[KeyValue, ...], kind: str, fields: list[str]
) -> tuple[tuple[KeyValue, ...], frozenset[int]]:
    emptied = frozenset(i for i, row in enumerate(rows) if MASK in row.value)
    fields.extend(f"{kind} {rows[i].name}" for i in sorted(emptied))
    return tuple(replace(r, value="") if i in emptied else r for i, r in enumerate(rows)), emptied


def _body(body: Body, fields: list[str]) -> Body:
    masked = [f for f in body.fields if MASK in f.value]
    fields.extend(f"form field {f.name}" for f in masked)
    if MASK in body.text:
        fields.append("the body")
    if not masked and MASK not in body.text:
        return body
    return replace(
        body,
        text=body.text.replace(MASK, ""),
        fields=tuple(replace(f, value="") if MASK in f.value else f for f in body.fields),
    )


def _auth(auth: AuthSpec | None, fields: list[str]) -> AuthSpec | None:
    if auth is None or not any(MASK in value for _, value in auth.params):
        return auth
    fields.extend(f"auth {name}" for name, value in auth.params if MASK in value)
    params = tuple((name, "" if MASK in value else value) for name, value in auth.params)
    return replace(auth, params=params)

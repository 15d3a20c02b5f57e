"""Hypothesis strategies for saved requests and folders (shared by store and format tests)."""

from __future__ import annotations

import json

from hypothesis import strategies as st

from explorer.core.models import (
    Assertion,
    AuthSpec,
    Body,
    BodyMode,
    Capture,
    CheckKind,
    FormField,
    KeyValue,
    RequestSpec,
)
from explorer.core.workspace.model import Folder, SavedRequest, Variable

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
multiline = st.lists(text, max_size=4).map("\n".join)
names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20)
rows = st.lists(st.builds(KeyValue, text, text, st.booleans()), max_size=3).map(tuple)
fields = st.lists(
    st.builds(FormField, text, text, st.booleans(), st.booleans(), st.none() | text),
    max_size=3,
).map(tuple)
bodies = st.one_of(
    st.just(Body()),
    st.builds(Body, st.sampled_from([BodyMode.JSON, BodyMode.RAW]), multiline, st.none() | text),
    st.builds(Body, st.sampled_from([BodyMode.FORM, BodyMode.MULTIPART]), fields=fields),
    st.builds(Body, st.just(BodyMode.BINARY_FILE), file=text),
)
auth_keys = names.filter(lambda n: n != "type")
auths = st.none() | st.builds(
    AuthSpec,
    st.sampled_from(["none", "basic", "bearer", "api-key", "oauth2"]),
    st.dictionaries(auth_keys, text, max_size=3).map(lambda d: tuple(d.items())),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
).map(lambda v: json.dumps(v, ensure_ascii=False))
assertions = st.lists(
    st.one_of(
        st.builds(Assertion, st.just(CheckKind.STATUS), expected=st.integers(100, 599).map(str)),
        st.builds(
            Assertion,
            st.just(CheckKind.MAX_MS),
            expected=st.integers(1, 10**6).map(str) | st.sampled_from(["0.5", "250.25"]),
        ),
        st.builds(Assertion, st.just(CheckKind.JSONPATH), names, st.none() | json_values),
        st.builds(Assertion, st.just(CheckKind.HEADER), names, st.none() | text),
    ),
    max_size=4,
).map(tuple)
captures = st.lists(
    st.builds(Capture, names, st.sampled_from(["jsonpath", "header"]), names), max_size=2
).map(tuple)
specs = st.builds(
    RequestSpec,
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    url=text,
    name=names,
    params=rows,
    headers=rows,
    body=bodies,
    auth=auths,
    connect_timeout=st.sampled_from([10.0, 2.5]),
    read_timeout=st.sampled_from([60.0, 5.0]),
    follow_redirects=st.booleans(),
    max_redirects=st.integers(0, 20),
    verify_tls=st.booleans(),
    docs=multiline,
    assertions=assertions,
    captures=captures,
)
saved = st.builds(SavedRequest, specs, st.integers(0, 1000))


def _variables(pairs: dict[str, str], secrets: list[str]) -> tuple[Variable, ...]:
    plain = [Variable(n, v) for n, v in pairs.items() if n not in secrets]
    return (*plain, *(Variable(n, secret=True) for n in dict.fromkeys(secrets)))


variables = st.builds(
    _variables, st.dictionaries(names, text, max_size=3), st.lists(names, max_size=2)
)
folders = st.builds(
    Folder,
    name=names,
    seq=st.integers(0, 100),
    description=multiline,
    variables=variables,
    headers=rows,
    auth=auths,
)

"""Hypothesis strategies for saved requests and folders (shared by store and format tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from explorer.core.models import AuthSpec, Body, BodyMode, FormField, KeyValue, RequestSpec
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

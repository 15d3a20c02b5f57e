"""Hand-edited or corrupted workspace files: a located FormatError, never a crash."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from explorer.core.errors import FormatError
from explorer.core.models import Body, BodyMode, FormField, KeyValue, RequestSpec
from explorer.core.workspace import codec, yamlio
from explorer.core.workspace.model import Folder, Variable
from tests.support.fuzz import bounded

SEED_REQUEST = yamlio.dump(
    codec.request_to_data(
        RequestSpec(
            method="POST",
            url="{{base_url}}/x",
            name="X",
            params=(KeyValue("a", "1", False),),
            headers=(KeyValue("Accept", "json"),),
            body=Body(BodyMode.MULTIPART, fields=(FormField("f", "a.png", is_file=True),)),
            read_timeout=5.0,
        ),
        3,
    )
)
SEED_FOLDER = yamlio.dump(
    codec.folder_to_data(
        Folder("F", 2, "d\ne", "p", (Variable("a", "1"), Variable("s", secret=True))), root=True
    )
)
FAST = bounded(150)  # HYPOTHESIS_PROFILE=long multiplies it


def load(text: str) -> None:
    problem: FormatError | None = None
    try:
        data = yamlio.loads(text, Path("x.request.yaml"))
        codec.request_from_data(data, "x.request.yaml")
        codec.folder_from_data(data, "x.request.yaml")
    except FormatError as exc:
        problem = exc
    assert problem is None or problem.path == "x.request.yaml"


@FAST
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    load(text)


@FAST
@given(st.data())
def test_mutated_files(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from([SEED_REQUEST, SEED_FOLDER]))
    start = data.draw(st.integers(0, len(seed)))
    end = data.draw(st.integers(start, min(len(seed), start + 30)))
    insert = data.draw(st.text(alphabet=st.sampled_from("{}[]:- \n!&*|>'\"0x"), max_size=8))
    load(seed[:start] + insert + seed[end:])


def test_unsafe_tags_and_alias_bombs_are_refused_or_harmless() -> None:
    load("name: !!python/object/apply:os.system ['true']\n")
    bomb = "a: &a ['x','x']\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n"
    load(bomb + "headers: [*c, *c, *c]\n")

"""The one YAML loader for files we read (``safe_parse`` explains the limits): libyaml's parser,
``safe_load``'s rules, and a refusal of alias bombs, over-deep and self-referring documents
before anything is constructed."""

from __future__ import annotations

from typing import Any

import yaml

from explorer.core.safe_parse import MAX_ALIAS_VALUES, MAX_DEPTH

__all__ = ["YamlLimitError", "check_nodes", "load_yaml", "load_yaml_nodes"]


class YamlLimitError(ValueError):
    """A YAML document refused before construction (alias bomb, too deep, self-referring)."""


_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML has it: a collection of 500 request files opens in a fifth of
the time (the runner's start-up)."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_nodes(root: yaml.Node) -> None:
    """Refuse a composed document whose aliases add more than ``MAX_ALIAS_VALUES`` values, or
    that nests deeper than ``MAX_DEPTH`` or refers to itself.

    Iterative post-order walk; each distinct node is measured once (an alias reuses the
    measure), so the check costs the same as the document, not as its expansion. A subtree's
    expanded size minus the distinct nodes measured so far never exceeds what aliases add."""
    measured: dict[int, tuple[int, int]] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        key = id(node)
        if closing:
            open_.discard(key)
            size, depth = 1, 0
            for child in _children(node):
                child_size, child_depth = measured[id(child)]
                size += child_size
                depth = max(depth, child_depth)
            if size > len(measured) + 1 + MAX_ALIAS_VALUES:
                raise YamlLimitError(
                    f"has too many aliases: they expand it by more than {MAX_ALIAS_VALUES:,} values"
                )
            if depth + 1 > MAX_DEPTH:
                raise YamlLimitError(f"is nested deeper than {MAX_DEPTH} levels")
            measured[key] = (size, depth + 1)
        elif key not in measured:
            if key in open_:
                raise YamlLimitError("has an alias that refers to itself")
            open_.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


def _plainly_small(text: str) -> bool:
    """True when ``check_nodes`` cannot refuse the text, so the common request file skips it.

    Without ``*`` there is no alias, so no expansion and no cycle, and the node count is bounded
    by the text. Every level of nesting then starts at a token of its own: a line (any of
    libyaml's line breaks), a ``-`` or ``?`` indicator, or a flow bracket (``[a: b]`` opens two
    levels, a sequence and an implicit mapping); fewer of those than ``MAX_DEPTH`` bounds the
    depth."""
    if "*" in text:
        return False
    starts = sum(text.count(token) for token in _LEVEL_STARTS) + text.count("[")
    return starts + 2 < MAX_DEPTH


_LEVEL_STARTS = ("\n", "\r", "\x85", "\u2028", "\u2029", "- ", "-\t", "?", "[", "{")


def load_yaml_nodes(text: str) -> tuple[Any, yaml.Node | None]:
    """The data of a one-document YAML text and its node tree (for line numbers), checked by
    ``check_nodes`` before construction. Raises ``yaml.YAMLError`` or ``YamlLimitError``."""
    loader = _BaseLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if not _plainly_small(text):
            check_nodes(node)
        return loader.construct_document(node), node
    except RecursionError as exc:  # the pure-Python composer, where libyaml is missing
        raise YamlLimitError(f"is nested deeper than {MAX_DEPTH} levels") from exc
    finally:
        loader.dispose()


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with the limits of ``check_nodes``."""
    return load_yaml_nodes(text)[0]

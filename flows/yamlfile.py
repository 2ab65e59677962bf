"""A YAML file a person wrote, read so that every problem found in it can name its line.

Questionnaires and course files both come through here: parsed with PyYAML's ``SafeLoader``
(plain data, never Python objects), with the node tree kept so that a location such as
``("questions", 3, "label")`` maps back to the line it was written on. Text that is not YAML,
or not a mapping at the top, comes back as a :class:`~flows.errors.Problem` for the caller to
raise as its own error, so a facilitator sees the same "file:line: what" for every file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import yaml

from flows.errors import Problem

Location = Sequence[str | int]


@dataclass(frozen=True)
class YamlMapping:
    """The file's top-level mapping and the node tree it was read from."""

    data: dict[str, Any]
    root: yaml.Node

    def line(self, loc: Location) -> int:
        """The 1-based line of ``loc``, or of its deepest part the file has (a missing key
        points at its parent)."""
        node = self.root
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1


def read_mapping(text: str, source: str, *, expected: str) -> YamlMapping | Problem:
    """The file's mapping, or the problem that stops it being read (``expected`` names the
    keys a reader should find, for the message when the top is not a mapping)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        return Problem(source, line, None, f"not valid YAML: {reason}")
    if not isinstance(data, dict) or root is None:
        return Problem(source, 1, None, f"expected a mapping with {expected}")
    return YamlMapping(data, root)


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    # PyYAML's stubs type Node.value as Any; a collection node's items are nodes.
    if isinstance(node, yaml.MappingNode):
        for key, value in reversed(node.value):  # a key given twice: YAML keeps the last
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return cast(yaml.Node, value)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return cast(yaml.Node, node.value[part])
    return None

"""Keys written twice in one YAML mapping: YAML keeps the last silently, a person meant one.

A facilitator who copies a block and forgets to delete the old ``label:`` gets a questionnaire
that says something else than the text they are reading. Both questionnaires and course files
report every repeated key, with the line of the repetition, next to their other problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class RepeatedKey:
    loc: tuple[str | int, ...]  # the key's place, e.g. ("questions", 0, "label")
    line: int  # 1-based line of the repetition


def repeated_keys(node: yaml.Node, loc: tuple[str | int, ...] = ()) -> Iterator[RepeatedKey]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if isinstance(name, str):
                if name in seen:
                    yield RepeatedKey((*loc, name), key.start_mark.line + 1)
                seen.add(name)
                yield from repeated_keys(value, (*loc, name))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from repeated_keys(item, (*loc, index))


def dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc)

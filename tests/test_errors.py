"""One exception tree: every exception class the project defines sits under ClcError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import bot
import flows
import storage
from flows.errors import ClcError


def project_exceptions() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for package in (bot, flows, storage):
        for module_info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            found += [
                value for value in vars(module).values()
                if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__
            ]
    return found


def test_every_project_exception_is_a_clc_error() -> None:
    classes = project_exceptions()
    assert len(classes) >= 15
    assert [cls.__qualname__ for cls in classes if not issubclass(cls, ClcError)] == []


def test_the_tree_in_the_docstring_names_every_class() -> None:
    import flows.errors

    documented = flows.errors.__doc__ or ""
    assert [cls.__name__ for cls in project_exceptions() if cls.__name__ not in documented] == []

"""flows/ is pure and storage/ is channel-free: checked on the import statements themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_FLOWS = {"telegram", "twilio", "apscheduler", "sqlalchemy", "httpx", "bot", "storage",
                      "starlette", "uvicorn", "aiosqlite", "asyncpg", "requests", "socket"}
FORBIDDEN_IN_STORAGE = {"telegram", "twilio", "bot", "starlette"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            roots.add("__import__")
    return roots


@pytest.mark.parametrize(
    ("package", "forbidden"), [("flows", FORBIDDEN_IN_FLOWS), ("storage", FORBIDDEN_IN_STORAGE)]
)
def test_package_imports_nothing_forbidden(package: str, forbidden: set[str]) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files found under {package}/"
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & (forbidden | {"__import__"}))
        for path in files
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import telegram.ext\nfrom sqlalchemy import select\nfrom . import x\n")
    assert imported_roots(sample) == {"telegram", "sqlalchemy"}

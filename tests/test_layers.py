"""The import graph: no cycles anywhere, and nothing imports the top layer (``admin_cli.py``).

The layer contract itself (bot → storage → flows, flows pure) is checked by ``lint-imports``
in ``make test`` (``[tool.importlinter]`` in pyproject.toml); this adds what it cannot express.
"""

from __future__ import annotations

from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "storage", "flows")


def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)


def test_the_project_has_no_import_cycle() -> None:
    imports = graph()
    cycles = []
    for module in sorted(imports.modules):
        for imported in imports.find_modules_directly_imported_by(module):
            chain = imports.find_shortest_chain(importer=imported, imported=module)
            if chain is not None:
                cycles.append(" -> ".join((module, *chain)))
    assert cycles == []


def test_no_package_imports_the_command_line_module() -> None:
    offenders = [
        str(path.relative_to(ROOT)) for package in PACKAGES for path in (ROOT / package).rglob("*.py")
        if "import admin_cli" in path.read_text(encoding="utf-8")
        or "from admin_cli" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []

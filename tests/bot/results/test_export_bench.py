"""The export memory benchmark survives an export that fails loudly: its error output goes to a
file, so a child writing more than a pipe holds does not wait for ever for a reader."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bench import export_memory


def test_a_failing_export_with_long_errors_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = tmp_path / "clc-admin"
    # 1 MiB on stderr, far more than a pipe's buffer (64 KiB on Linux), then a failure.
    cli.write_text("#!/bin/sh\nhead -c 1048576 /dev/zero | tr '\\0' x >&2\necho ' the end' >&2\nexit 3\n")
    cli.chmod(0o755)
    monkeypatch.setattr(export_memory, "CLI", cli)
    raised: list[BaseException] = []

    def measure() -> None:
        try:
            export_memory.export("sqlite+aiosqlite:///unused.db", tmp_path / "out.csv")
        except BaseException as exc:  # what the thread saw, for the test to check
            raised.append(exc)

    worker = threading.Thread(target=measure, daemon=True)
    worker.start()
    worker.join(timeout=15)
    assert not worker.is_alive(), "the benchmark waited for ever on a child blocked writing its errors"
    assert len(raised) == 1 and isinstance(raised[0], RuntimeError)
    assert str(raised[0]).startswith("export failed: ") and str(raised[0]).endswith("x the end\n")

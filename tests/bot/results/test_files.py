"""A result file appears whole under its name, or not at all; an existing one needs --force."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.results.files import OutputError, format_of, safe_output


def test_written_whole_then_renamed(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with safe_output(target) as partial:
        partial.write_text("a,b\n", encoding="utf-8")
        assert not target.exists()  # nothing under the name until the end
    assert target.read_text(encoding="utf-8") == "a,b\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("error", [RuntimeError("disk"), KeyboardInterrupt()])
def test_an_error_or_ctrl_c_leaves_no_file(tmp_path: Path, error: BaseException) -> None:
    target = tmp_path / "out.xlsx"
    with pytest.raises(type(error)), safe_output(target) as partial:
        partial.write_bytes(b"half")
        raise error
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(OutputError, match="exists; give --force"), safe_output(target):
        pass
    assert target.read_text(encoding="utf-8") == "old"
    with safe_output(target, force=True) as partial:
        partial.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"


def test_a_file_made_meanwhile_is_kept_without_force(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(OutputError, match="exists; give --force"), safe_output(target) as partial:
        partial.write_text("ours", encoding="utf-8")
        target.write_text("theirs", encoding="utf-8")  # after the check, before the end
    assert target.read_text(encoding="utf-8") == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_without_hard_links_the_file_is_renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(source: object, target: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # as on a FAT USB stick

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "out.csv"
    with safe_output(target) as partial:
        partial.write_text("a,b\n", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "a,b\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_formats_by_option_or_extension(tmp_path: Path) -> None:
    assert format_of(Path("a.XLSX")) == "xlsx" and format_of(Path("a.jsonl")) == "json"
    assert format_of(Path("a.txt"), "csv") == "csv"
    with pytest.raises(OutputError, match="give --format"):
        format_of(Path("a.txt"))
    with pytest.raises(OutputError, match="no directory"), safe_output(tmp_path / "nope" / "a.csv"):
        pass

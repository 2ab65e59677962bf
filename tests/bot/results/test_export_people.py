"""``clc-admin export contacts`` and ``export enrolments``: the files equal the database; a
facilitator (``--as``) exports only their centre's people; one export runs as a real process."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.results.export_cli import csv_rows, run, seeded_database, sheet_rows
from tests.bot.results.export_seed import PEOPLE, STAFF_PHONE, Seeded

LOCAL_T0 = dt.datetime(2026, 3, 2, 14, 0)
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    return seeded_database(sqlite_url, monkeypatch)


def test_contacts_xlsx_equals_the_database(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "contacts.xlsx"
    assert "5 contacts written" in run("export", "contacts", "--out", str(out), "--lang", "ru")
    rows = sheet_rows(out)
    assert rows[0] == ("ID контакта", "Имя", "Язык", "Центр", "Населённый пункт", "Телефон", "Telegram",
                       "Добавлен", "Согласие на опрос", "Согласие на рассылки")
    expected = [(seeded.contacts[i], name, "ru", centre, "Ақсу", phone, telegram, LOCAL_T0, "Да", None)
                for i, (name, phone, telegram, centre) in enumerate(PEOPLE)]
    expected.append((seeded.staff, "Дана Нұрланқызы", "ru", "oral", None, STAFF_PHONE, None, LOCAL_T0, None, None))
    assert rows[1:] == expected  # the forgotten contact (a tombstone) is not listed


def test_headers_in_the_other_language(seeded: Seeded, tmp_path: Path) -> None:
    run("export", "contacts", "--out", str(tmp_path / "c.csv"), "--lang", "kk")
    assert csv_rows(tmp_path / "c.csv")[0] == [
        "Контакт ID", "Аты-жөні", "Тіл", "Орталық", "Елді мекен", "Телефон нөмірі", "Telegram", "Тіркелген уақыты",
        "Сауалнамаға қатысуға келісімі", "Хабарландыру алуға келісімі"]
    run("export", "enrolments", "--out", str(tmp_path / "e.csv"), "--lang", "ru")
    assert csv_rows(tmp_path / "e.csv")[0] == [
        "Код курса", "Название курса", "Центр", "ID контакта", "Слушатель", "Телефон", "Статус записи", "Место",
        "Место в листе ожидания", "Дата записи", "Посещено занятий", "Всего занятий"]


def test_enrolments_in_kk_with_positions_and_attendance(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "enrolments.csv"
    assert "4 enrolments written" in run("export", "enrolments", "--out", str(out), "--lang", "kk")
    rows = csv_rows(out)
    assert rows[0] == ["Курс коды", "Курс атауы", "Орталық", "Контакт ID", "Тыңдаушы", "Телефон нөмірі", "Жазылу күйі",
                       "Орын нөмірі", "Күту тізіміндегі кезегі", "Жазылған уақыты", "Қатысқан сабақтар саны", "Сабақтар саны"]
    c = [str(i) for i in seeded.contacts]
    assert rows[1:] == [
        ["sewing-1", "sewing-1 kk", "aksu", c[0], PEOPLE[0][0], "+77015550001", "enrolled", "1", "",
         "2026-03-02 14:00:00", "1", "2"],
        ["sewing-1", "sewing-1 kk", "aksu", c[2], PEOPLE[2][0], "", "waiting", "", "1", "2026-03-02 14:01:00", "0",
         "2"],
        ["sewing-1", "sewing-1 kk", "aksu", c[1], PEOPLE[1][0], "+77015550002", "waiting", "", "2",
         "2026-03-02 14:02:00", "0", "2"],
        ["computer-1", "computer-1 kk", "oral", c[3], PEOPLE[3][0], "+77015550004", "enrolled", "1", "",
         "2026-03-02 14:00:00", "0", "2"],
    ]


def test_a_facilitator_exports_only_their_centre(seeded: Seeded, tmp_path: Path) -> None:
    run("--as", STAFF_PHONE, "export", "contacts", "--out", str(tmp_path / "c.json"))
    found = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert [item["contact_id"] for item in found] == [seeded.contacts[3], seeded.staff]
    run("--as", STAFF_PHONE, "export", "responses", "--out", str(tmp_path / "r.csv"))
    assert [row[0] for row in csv_rows(tmp_path / "r.csv")[1:]] == [str(seeded.runs[3])]
    run("--as", STAFF_PHONE, "export", "enrolments", "--out", str(tmp_path / "e.csv"))
    assert [row[0] for row in csv_rows(tmp_path / "e.csv")[1:]] == ["computer-1"]
    refused = run("--as", STAFF_PHONE, "export", "enrolments", "--centre", "aksu", "--out",
                  str(tmp_path / "aksu.csv"), code=1)
    assert "not a facilitator at centre 'aksu'" in refused
    assert not (tmp_path / "aksu.csv").exists()


def test_export_as_a_real_process(seeded: Seeded, sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    env = {**os.environ, "CLC_DATABASE_URL": sqlite_url}
    env.pop("CLC_ADMIN_AS", None)
    done = subprocess.run([str(VENV_BIN / "clc-admin"), "export", "contacts", "--centre", "oral", "--out", str(out),
                           "--lang", "ru"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "2 contacts written" in done.stdout
    assert "\x1b[" not in done.stdout  # no progress bar when the output is not a terminal
    rows = csv_rows(out)
    assert [row[1] for row in rows[1:]] == [PEOPLE[3][0], "Дана Нұрланқызы"]

"""XLSForm files written for the tests with openpyxl, as a facilitator's Excel would save them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

KK, RU = "label::Kazakh (kk)", "label::Russian (ru)"
HINT_KK, HINT_RU = "hint::Қазақша (kk)", "hint::Русский (ru)"
CM_KK, CM_RU = "constraint_message::Kazakh (kk)", "constraint_message::Russian (ru)"
RM_KK, RM_RU = "required_message::Kazakh (kk)", "required_message::Russian (ru)"
Row = dict[str, str]


def write_form(path: Path, survey: Sequence[Row], choices: Sequence[Row] = (),
               settings: Row | None = None) -> Path:
    book = Workbook()
    sheets = [("survey", survey), ("choices", choices), ("settings", [settings] if settings else [])]
    for number, (name, rows) in enumerate(sheets):
        if name != "survey" and not rows:
            continue
        page = book.active if number == 0 and book.active is not None else book.create_sheet()
        page.title = name
        headers = list(dict.fromkeys(key for row in rows for key in row))
        page.append(headers)
        for row in rows:
            page.append([row.get(header) for header in headers])
    book.save(path)
    return path


def choice_rows(list_name: str, *items: tuple[str, str, str]) -> list[Row]:
    return [{"list_name": list_name, "name": name, KK: kk, RU: ru} for name, kk, ru in items]


# A school survey using every supported type and operator, nested groups, hints and messages.
SCHOOL_SURVEY: list[Row] = [
    {"type": "start", "name": "start"},
    {"type": "deviceid", "name": "deviceid"},
    {"type": "note", "name": "welcome", KK: "Мектеп туралы бірнеше сұрақ.", RU: "Несколько вопросов о школе."},
    {"type": "acknowledge", "name": "agree", KK: "Жауаптар тек мектепке көрінеді.",
     RU: "Ответы увидит только школа.", "required": "yes"},
    {"type": "select_one yes_no", "name": "has_children", KK: "Балаңыз бар ма?", RU: "Есть ли у вас дети?",
     "required": "yes", RM_KK: "Иә немесе жоқ деп жауап беріңіз.", RM_RU: "Ответьте да или нет."},
    {"type": "begin_group", "name": "children", KK: "Балалар", RU: "Дети", "relevant": "${has_children} = 'yes'"},
    {"type": "integer", "name": "children_count", KK: "Неше балаңыз бар?", RU: "Сколько у вас детей?",
     HINT_KK: "Санмен жазыңыз.", HINT_RU: "Напишите числом.", "required": "yes",
     "constraint": ". >= 1 and . <= 15", CM_KK: "1-ден 15-ке дейін жазыңыз.", CM_RU: "Напишите от 1 до 15."},
    {"type": "begin group", "name": "school", KK: "Мектеп", RU: "Школа", "relevant": "${children_count} > 0"},
    {"type": "select_multiple grades", "name": "grades", KK: "Қай сыныптарда?", RU: "В каких классах?",
     "required": "yes", "constraint": "count-selected(.) <= ${children_count}",
     CM_KK: "Балалардан көп таңдамаңыз.", CM_RU: "Не больше, чем детей."},
    {"type": "select_one transport", "name": "transport", KK: "Мектепке қалай барады?",
     RU: "Как добираются до школы?",
     "relevant": "selected(${grades}, 'senior') or selected(${grades}, 'middle')"},
    {"type": "end group"},
    {"type": "end_group"},
    {"type": "decimal", "name": "distance", KK: "Мектепке дейін неше шақырым?", RU: "Сколько км до школы?",
     "relevant": "${has_children} != 'no'", "constraint": ". > 0 and . < 100",
     CM_KK: "0-ден 100-ге дейін.", CM_RU: "От 0 до 100."},
    {"type": "date", "name": "birth", KK: "Туған күніңіз?", RU: "Дата рождения?",
     "constraint": ". >= '1930-01-01' and . < '2015-01-01'", CM_KK: "Күнді тексеріңіз.", CM_RU: "Проверьте дату."},
    {"type": "text", "name": "phone_number", KK: "Телефон нөміріңіз?", RU: "Ваш телефон?",
     "constraint": "regex(., '^[0-9]{10}$')", CM_KK: "10 цифр жазыңыз.", CM_RU: "Напишите 10 цифр."},
    {"type": "calculate", "name": "twice", "calculation": "${children_count} * 2"},
    {"type": "text", "name": "comment", KK: "Пікіріңіз?", RU: "Ваш отзыв?",
     "relevant": "${phone_number} = ''", "constraint": "string-length(.) <= 200",
     CM_KK: "200 таңбадан қысқа.", CM_RU: "Короче 200 знаков."},
    {"type": "select_one rating", "name": "rating", KK: "Мектепті бағалаңыз", RU: "Оцените школу",
     "relevant": "(${distance} < 5 or ${distance} >= 10) and not(${birth} <= '1950-01-01')"},
    {"type": "text", "name": "why_low", KK: "Неге төмен?", RU: "Почему низко?", "relevant": "${rating} = 1"},
    {"type": "end", "name": "end"},
]
SCHOOL_CHOICES: list[Row] = [
    *choice_rows("yes_no", ("yes", "Иә", "Да"), ("no", "Жоқ", "Нет")),
    *choice_rows("grades", ("primary", "Бастауыш", "Начальные"), ("middle", "Орта", "Средние"),
                 ("senior", "Жоғары", "Старшие")),
    *choice_rows("transport", ("walk", "Жаяу", "Пешком"), ("bus", "Автобус", "Автобус")),
    *choice_rows("rating", ("1", "Нашар", "Плохо"), ("2", "Жақсы", "Хорошо")),
]
SCHOOL_SETTINGS: Row = {"form_id": "school", "form_title": "Мектеп", "default_language": "Kazakh (kk)"}


def school_form(path: Path) -> Path:
    return write_form(path, SCHOOL_SURVEY, SCHOOL_CHOICES, SCHOOL_SETTINGS)

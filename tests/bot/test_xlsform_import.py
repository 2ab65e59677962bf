"""XLSForm files (built here with openpyxl) read with pyxform into questionnaires: every supported
type and operator, nested groups, both languages with hints and messages, and each refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.sms_budget import question_costs
from bot.i18n import Catalogs
from bot.xlsform.files import read_xlsform
from flows.errors import QuestionnaireError
from flows.questionnaire.expr import evaluate, parse_expression
from flows.questionnaire.progress import Progress, progress
from flows.questionnaire.schema import Bilingual
from tests.bot.xlsform_forms import (
    CM_KK,
    CM_RU,
    KK,
    RU,
    SCHOOL_SETTINGS,
    choice_rows,
    school_form,
    write_form,
)


def problems_of(path: Path, **options: object) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        read_xlsform(path, **options)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


def test_the_school_form_becomes_a_questionnaire(tmp_path: Path) -> None:
    imported = read_xlsform(school_form(tmp_path / "school.xlsx"))
    form = imported.form
    assert form.id == "school" and form.title == Bilingual(kk="Мектеп", ru="Мектеп")
    kinds = {q.id: q.type for q in form.questions}
    assert kinds == {  # start, deviceid, end and the calculate row are gone
        "welcome": "note", "agree": "single", "has_children": "yes_no", "children_count": "integer",
        "grades": "multi", "transport": "single", "distance": "decimal", "birth": "date",
        "phone_number": "text", "comment": "text", "rating": "single", "why_low": "text",
    }
    q = form.question
    assert [c.id for c in form.choices_of(q("agree"))] == ["ok"]  # acknowledge: one "OK" to send
    assert q("has_children").required and q("has_children").required_message == Bilingual(
        kk="Иә немесе жоқ деп жауап беріңіз.", ru="Ответьте да или нет.")
    assert not q("distance").required  # XLSForm's default: optional
    count = q("children_count")
    assert count.hint == Bilingual(kk="Санмен жазыңыз.", ru="Напишите числом.")
    assert count.constraint == ". >= 1 and . <= 15"
    assert count.constraint_message == Bilingual(kk="1-ден 15-ке дейін жазыңыз.", ru="Напишите от 1 до 15.")
    # Groups flattened: each question carries the relevant of every group around it.
    assert count.relevant == "has_children = 'yes'"
    assert q("grades").relevant == "has_children = 'yes' and children_count > 0"
    assert q("transport").relevant == ("has_children = 'yes' and children_count > 0 and "
                                       "(grades contains 'senior' or grades contains 'middle')")
    assert q("grades").constraint == "count-selected(.) <= children_count"
    assert q("distance").relevant == "has_children != 'no'"
    assert q("birth").constraint == ". >= '1930-01-01' and . < '2015-01-01'"
    assert q("phone_number").constraint == "regex(., '^[0-9]{10}$')"
    assert q("comment").relevant == "string-length(phone_number) = 0"
    assert q("comment").constraint == "string-length(.) <= 200"
    assert q("rating").relevant == "(distance < 5 or distance >= 10) and not (birth <= '1950-01-01')"
    assert q("why_low").relevant == "rating = '1'"  # the choice named 1
    assert set(form.choice_lists) == {"grades", "transport", "rating"}  # yes_no became the yes/no type
    ours = [w for w in imported.warnings if "pyxform" not in w]
    assert ours == [f"{tmp_path / 'school.xlsx'}: survey sheet, row 17: calculate 'twice' is not used "
                    "(the bot computes nothing)"]


@pytest.mark.parametrize(("kk", "ru", "default"), [
    ("label::Қазақша (kk)", "label::Русский (ru)", None),
    ("label::kk", "label::ru", None),
    ("label::Kazakh", "label::Russian", None),
    ("label", "label::Russian (ru)", "Kazakh (kk)"),
    ("label::Kazakh (kk)", "label", "Русский (ru)"),
])
def test_language_columns_however_they_are_named(tmp_path: Path, kk: str, ru: str, default: str | None) -> None:
    survey = [{"type": "text", "name": "village", kk: "Ауылыңыз?", ru: "Ваше село?", "hint::kk": "Атын жазыңыз",
               "hint::ru": "Название"}]
    settings = {"form_id": "village", "form_title": "Ауыл", **({"default_language": default} if default else {})}
    form = read_xlsform(write_form(tmp_path / "v.xlsx", survey, settings=settings)).form
    assert form.questions[0].label == Bilingual(kk="Ауылыңыз?", ru="Ваше село?")
    assert form.questions[0].hint == Bilingual(kk="Атын жазыңыз", ru="Название")


def test_a_form_without_kazakh_is_refused_naming_the_column_and_the_rows(tmp_path: Path) -> None:
    survey = [
        {"type": "text", "name": "village", RU: "Ваше село?"},
        {"type": "select_one yn", "name": "works", RU: "Работаете?", CM_RU: "Нет", "constraint": ". = 'yes'"},
        {"type": "integer", "name": "age", RU: "Возраст?", "label::English (en)": "Age?"},
    ]
    path = write_form(tmp_path / "ru.xlsx", survey, [{"list_name": "yn", "name": "yes", RU: "Да", KK: "Иә"},
                                                     {"list_name": "yn", "name": "maybe", RU: "Может быть"}],
                      {"form_id": "ru_only"})
    assert problems_of(path) == [
        f"{path}: survey sheet, column '{KK}': the Kazakh text is missing in rows 2, 3, 4",
        f"{path}: survey sheet, column '{CM_KK}': the Kazakh text is missing in rows 3",
        f"{path}: choices sheet, column '{KK}': the Kazakh text is missing in rows 3",
    ]


def test_everything_a_chat_cannot_ask_is_listed_at_once_or_dropped(tmp_path: Path) -> None:
    survey = [
        {"type": "text", "name": "village", KK: "Ауыл?", RU: "Село?"},
        {"type": "geopoint", "name": "where", KK: "Қай жер?", RU: "Где?"},
        {"type": "geotrace", "name": "road", KK: "Жол", RU: "Дорога"},
        {"type": "image", "name": "photo", KK: "Сурет", RU: "Фото"},
        {"type": "audio", "name": "voice", KK: "Дауыс", RU: "Голос"},
        {"type": "video", "name": "clip", KK: "Бейне", RU: "Видео"},
        {"type": "file", "name": "doc", KK: "Файл", RU: "Файл"},
        {"type": "barcode", "name": "code", KK: "Код", RU: "Код"},
        {"type": "range", "name": "score", KK: "Баға", RU: "Оценка", "appearance": "rating",
         "parameters": "start=1 end=5 step=1"},
        {"type": "begin_repeat", "name": "kids", KK: "Балалар", RU: "Дети"},
        {"type": "text", "name": "kid_name", KK: "Аты", RU: "Имя"},
        {"type": "end_repeat"},
        {"type": "select_one_from_file villages.csv", "name": "village2", KK: "Ауыл", RU: "Село"},
        {"type": "select_one towns", "name": "town", KK: "Қала", RU: "Город", "choice_filter": "region = ${village}"},
        {"type": "integer", "name": "age", KK: "Жасыңыз?", RU: "Возраст?"},
    ]
    path = write_form(tmp_path / "odd.xlsx", survey, choice_rows("towns", ("a", "А", "А")), {"form_id": "odd"})
    expected = [
        f"{path}: survey sheet, row 3, column 'type': question 'where': 'geopoint' questions cannot be asked in a chat",
        f"{path}: survey sheet, row 4, column 'type': question 'road': 'geotrace' questions cannot be asked in a chat",
        f"{path}: survey sheet, row 5, column 'type': question 'photo': 'image' questions cannot be asked in a chat",
        f"{path}: survey sheet, row 6, column 'type': question 'voice': 'audio' questions cannot be asked in a chat",
        f"{path}: survey sheet, row 7, column 'type': question 'clip': 'video' questions cannot be asked in a chat",
        f"{path}: survey sheet, row 8, column 'type': question 'doc': 'file' questions cannot be asked in a chat",
        f"{path}: survey sheet, row 9, column 'type': question 'code': 'barcode' questions cannot be asked in a chat",
        f"{path}: survey sheet, row 10, column 'type': question 'score': a range with the 'rating' widget "
        "cannot be shown in a chat",
        f"{path}: survey sheet, row 11, column 'type': question 'kids': repeat groups cannot be asked in a chat",
        f"{path}: survey sheet, row 14, column 'type': question 'village2': 'select_one_from_file' questions "
        "cannot be asked in a chat",
        f"{path}: survey sheet, row 15, column 'type': question 'town': a choice_filter that depends on other "
        "answers is not supported",
    ]
    assert problems_of(path) == expected
    imported = read_xlsform(path, skip_unsupported=True)
    assert [q.id for q in imported.form.questions] == ["village", "age"]  # the repeat's question went with it
    assert [w for w in imported.warnings if w.endswith("(dropped)")] == [f"{line} (dropped)" for line in expected]


def test_an_expression_outside_the_subset_names_sheet_row_column_and_expression(tmp_path: Path) -> None:
    survey = [
        {"type": "date", "name": "born", KK: "Туған күн?", RU: "Дата рождения?",
         "constraint": ". < today()", CM_KK: "Қате", CM_RU: "Ошибка"},
        {"type": "integer", "name": "age", KK: "Жас?", RU: "Возраст?", "relevant": "${born} + 1 > 2"},
        {"type": "text", "name": "why", KK: "Неге?", RU: "Почему?", "relevant": "${twice} > 2"},
        {"type": "calculate", "name": "twice", "calculation": "${age} * 2"},
    ]
    path = write_form(tmp_path / "expr.xlsx", survey, settings={"form_id": "expr"})
    assert problems_of(path) == [
        f"{path}: survey sheet, row 2, column 'constraint': question 'born': the function today() at position 5 "
        "is not supported in '. < today()'",
        f"{path}: survey sheet, row 3, column 'relevant': question 'age': arithmetic '+' at position 9 is not "
        "supported in '${born} + 1 > 2'",
        f"{path}: survey sheet, row 4, column 'relevant': question 'why': relevant refers to unknown question "
        "'twice': the calculate of row 5, which the bot does not use",
    ]


def test_what_the_model_refuses_is_named_by_sheet_row_and_column(tmp_path: Path) -> None:
    survey = [
        {"type": "integer", "name": "Age", KK: "Жас?", RU: "Возраст?"},
        {"type": "select_one yn", "name": "works", KK: "Жұмыс?", RU: "Работа?", "relevant": "${Age} > 18 and "
         "${works_at} = 'farm'", "bot_min": "many"},
        {"type": "text", "name": "works_at", KK: "Қайда?", RU: "Где?", "relevant": "selected(${works}, 'maybe')"},
    ]
    path = write_form(tmp_path / "model.xlsx", survey, choice_rows("yn", ("Yes", "Иә", "Да"), ("no", "Жоқ", "Нет")),
                      {"form_id": "Model Form"})
    found = problems_of(path)
    assert f"{path}: settings sheet, row 2, column 'form_id': id 'Model Form' must start with a small latin " \
           "letter and use only a-z, 0-9 and _ (at most 32); change form_id in the settings sheet, or give --id" in found
    assert f"{path}: survey sheet, row 2, column 'name': question 'Age': id 'Age' must start with a small " \
           "latin letter and use only a-z, 0-9 and _ (at most 32)" in found
    assert f"{path}: choices sheet, row 2, column 'name': choice id 'Yes' must use " \
           "only a-z, 0-9 and _ (at most 24)" in found
    assert any(p.startswith(f"{path}: survey sheet, row 3, column 'bot_min': question 'works': ") for p in found)
    assert f"{path}: survey sheet, row 3, column 'relevant': question 'works': relevant refers to 'works_at', " \
           "which comes later; only earlier answers are known" in found
    assert f"{path}: survey sheet, row 4, column 'relevant': question 'works_at': 'maybe' is not a " \
           "choice of 'works' (Yes, no)" in found
    assert problems_of(path, questionnaire_id="model")[0] != found[0]  # --id replaces a bad form_id


def test_a_range_without_a_widget_is_a_number_and_a_fixed_choice_filter_keeps_its_choices(tmp_path: Path) -> None:
    survey = [
        {"type": "range", "name": "score", KK: "Баға", RU: "Оценка", "parameters": "start=1 end=5 step=1"},
        {"type": "range", "name": "weight", KK: "Салмақ", RU: "Вес", "parameters": "start=0.5 end=9.5 step=0.5"},
        {"type": "select_one towns", "name": "town", KK: "Қала", RU: "Город", "choice_filter": "region = 'north'"},
        {"type": "select_one numbers", "name": "pick", KK: "Таңдаңыз", RU: "Выберите", "constraint": ". != 2",
         CM_KK: "Екіні емес", CM_RU: "Не два"},
    ]
    towns = [{**row, "region": region} for row, region in zip(
        choice_rows("towns", ("petro", "Петропавл", "Петропавловск"), ("shym", "Шымкент", "Шымкент"),
                    ("kost", "Қостанай", "Костанай")), ("north", "south", "north"), strict=True)]
    numbers = choice_rows("numbers", ("1", "Бір", "Один"), ("2", "Екі", "Два"))
    form = read_xlsform(write_form(tmp_path / "range.xlsx", survey, towns + numbers, {"form_id": "ranges"})).form
    score, weight, town, pick = form.questions
    assert pick.constraint == ". != '2'"  # the choice named 2
    assert (score.type, score.min, score.max) == ("integer", 1, 5)
    assert (weight.type, weight.min, weight.max) == ("decimal", 0.5, 9.5)
    assert [c.id for c in form.choices_of(town)] == ["petro", "kost"]


def test_a_file_pyxform_refuses_is_reported_with_pyxforms_words(tmp_path: Path) -> None:
    survey = [{"type": "begin_group", "name": "g", KK: "Топ", RU: "Группа"},
              {"type": "text", "name": "a", KK: "А", RU: "А"}]
    path = write_form(tmp_path / "open.xlsx", survey, settings=SCHOOL_SETTINGS)
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith(f"{path}: pyxform: ") and "row" in found[0]
    with pytest.raises(FileNotFoundError):
        read_xlsform(tmp_path / "none.xlsx")


@pytest.mark.parametrize("content", [
    b"not a workbook",
    bytes(range(256)) * 4,  # random bytes
    "type,name,label::Kazakh (kk),label::Russian (ru)\ntext,village,Ауыл?,Село?\n".encode(),  # a CSV
])
def test_a_file_that_is_not_an_excel_workbook_is_refused_in_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(content)
    assert problems_of(path) == [f"{path}: not an Excel workbook: save the form from Excel as .xlsx"]


def test_an_oversized_file_is_refused_before_pyxform_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as file:
        file.truncate(6_000_000)
    assert problems_of(path) == [f"{path}: the file is 6.0 MB; an XLSForm may be at most 5 MB"]


def numbered_survey(count: int) -> list[dict[str, str]]:
    return [{"type": "integer", "name": f"q{i}", KK: f"{i}-сұрақ", RU: f"Вопрос {i}",
             **({"relevant": f"${{q{i - 1}}} > 1"} if i else {})} for i in range(count)]


def test_a_form_of_400_questions_is_refused_in_one_line_naming_the_survey_sheet(tmp_path: Path) -> None:
    path = write_form(tmp_path / "long.xlsx", [{"type": "start", "name": "start"}, *numbered_survey(400)],
                      settings={"form_id": "long"})
    assert problems_of(path) == [f"{path}: survey sheet: 400 questions; a questionnaire may have at most "
                                 "300: split the form"]


def test_a_form_of_300_chained_questions_is_imported_and_its_progress_computed(tmp_path: Path) -> None:
    form = read_xlsform(write_form(tmp_path / "long.xlsx", numbered_survey(300), settings={"form_id": "long"})).form
    costs = question_costs(form, Catalogs.load())  # what `questionnaire import` reports, with progress lines
    assert len(costs) == 300
    assert progress(form, {"q0": 5}, "q1") == Progress(number=2, total=300, exact=False)
    assert progress(form, {f"q{i}": 5 for i in range(299)}, "q299") == Progress(300, 300, exact=True)


def test_numbered_choices_compare_as_numbers_and_ok_as_the_bots_ok(tmp_path: Path) -> None:
    levels = choice_rows("levels", *((str(n), f"{n}-сынып", f"{n} класс") for n in range(1, 13)))
    survey = [{"type": "acknowledge", "name": "agree", KK: "Келісесіз бе?", RU: "Согласны?"},
              {"type": "select_one levels", "name": "edu", KK: "Сынып?", RU: "Класс?", "relevant": "${agree} = 'OK'"},
              {"type": "text", "name": "school", KK: "Мектеп?", RU: "Школа?", "relevant": "${edu} >= 10"}]
    form = read_xlsform(write_form(tmp_path / "edu.xlsx", survey, levels, {"form_id": "edu"})).form
    assert form.question("edu").relevant == "agree = 'ok'"
    school = parse_expression(form.question("school").relevant or "")
    assert [n for n in range(1, 13) if evaluate(school, {"edu": str(n)})] == [10, 11, 12]


def test_an_ordered_comparison_with_named_choices_is_refused_with_its_place(tmp_path: Path) -> None:
    survey = [{"type": "select_one yes_no", "name": "kids", KK: "Бала?", RU: "Дети?"},
              {"type": "text", "name": "why", KK: "Неге?", RU: "Почему?", "relevant": "${kids} > 'no'"}]
    yes_no = choice_rows("yes_no", ("yes", "Иә", "Да"), ("no", "Жоқ", "Нет"))
    path = write_form(tmp_path / "kids.xlsx", survey, yes_no, {"form_id": "kids"})
    assert problems_of(path) == [
        f"{path}: survey sheet, row 3, column 'relevant': question 'why': '>' on the choices of 'kids' is not "
        "supported: compare choice codes with = or selected() in \"${kids} > 'no'\""]


def test_a_plain_label_column_without_default_language_is_one_line_per_column(tmp_path: Path) -> None:
    """KoBoToolbox's usual layout: 'label' and 'hint' columns, no language, no settings sheet."""
    survey = [{"type": "select_one yes_no", "name": "kids", "label": "Есть ли дети?", "hint": "Да или нет"},
              {"type": "text", "name": "village", "label": "Ваше село?"}]
    yes_no = [{"list_name": "yes_no", "name": "yes", "label": "Да"}, {"list_name": "yes_no", "name": "no", "label": "Нет"}]
    path = write_form(tmp_path / "kobo.xlsx", survey, yes_no)
    fix = "use {0}::Kazakh (kk) and {0}::Russian (ru), or set default_language"
    assert problems_of(path, questionnaire_id="kobo") == [
        f"{path}: survey sheet, column 'label': the column names no language: {fix.format('label')}",
        f"{path}: survey sheet, column 'hint': the column names no language: {fix.format('hint')}",
        f"{path}: choices sheet, column 'label': the column names no language: {fix.format('label')}",
    ]
    russian = write_form(tmp_path / "ru.xlsx", survey, yes_no, {"form_id": "ru", "default_language": "Russian (ru)"})
    assert problems_of(russian)[0] == (f"{russian}: survey sheet, column 'label::Kazakh (kk)': the Kazakh text "
                                      "is missing in rows 2, 3")


def test_a_required_given_as_an_expression_is_optional_with_a_warning(tmp_path: Path) -> None:
    survey = [{"type": "integer", "name": "age", KK: "Жасыңыз?", RU: "Возраст?", "required": "yes"},
              {"type": "text", "name": "school", KK: "Мектеп?", RU: "Школа?", "required": "${age} < 18"},
              {"type": "text", "name": "job", KK: "Жұмыс?", RU: "Работа?", "required": "no"}]
    path = write_form(tmp_path / "req.xlsx", survey, settings={"form_id": "req"})
    imported = read_xlsform(path)
    assert [q.required for q in imported.form.questions] == [True, False, False]
    ours = [w for w in imported.warnings if "pyxform" not in w]
    assert ours == [f"{path}: survey sheet, row 3: required '${{age}} < 18' is an expression; the bot asks "
                    "the question as optional"]


def test_bad_names_say_where_and_how_to_fix_them_without_the_models_path(tmp_path: Path) -> None:
    survey = [{"type": "select_one YesNo", "name": "kids", KK: "Бала?", RU: "Дети?"}]
    choices = choice_rows("YesNo", ("Yes", "Иә", "Да"), ("maybe", "Мүмкін", "Может"))
    named = write_form(tmp_path / "My Form (1).xlsx", survey, choices)
    assert problems_of(named) == [
        f"{named}: id 'my form (1)' must start with a small latin letter and use only a-z, 0-9 and _ (at most 32); "
        "it comes from the file's name: give --id, or a form_id in a settings sheet",
        f"{named}: choices sheet, row 2, column 'name': choice id 'Yes' must use only a-z, 0-9 and _ (at most 24)",
    ]
    assert len(problems_of(named, questionnaire_id="kids")) == 1  # --id: only the choice is left
    settled = write_form(tmp_path / "f.xlsx", survey, choices, {"form_id": "Bad Id"})
    assert problems_of(settled)[0] == (
        f"{settled}: settings sheet, row 2, column 'form_id': id 'Bad Id' must start with a small latin letter "
        "and use only a-z, 0-9 and _ (at most 32); change form_id in the settings sheet, or give --id")


def test_or_other_is_refused_saying_what_to_do_instead(tmp_path: Path) -> None:
    survey = [{"type": "select_one towns or_other", "name": "town", KK: "Қала?", RU: "Город?"},
              {"type": "text", "name": "street", KK: "Көше?", RU: "Улица?"}]
    path = write_form(tmp_path / "other.xlsx", survey, choice_rows("towns", ("a", "А", "А")), {"form_id": "other"})
    assert problems_of(path) == [f"{path}: survey sheet, row 2, column 'type': question 'town': or_other is not "
                                 "supported: add an 'other' choice and a text question"]

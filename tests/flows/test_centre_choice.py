"""Choosing one's learning centre when the bot serves several (issue 14), as the engine decides it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flows.engine import step
from flows.events import AttachCentre, CentreOption, ContactFacts, Facts, Inbound, Localized, Msg, State, Step
from tests.flows.standard import DEMO, FLOWS

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
TALDY = CentreOption(slug="taldy", name=Localized(kk="Талдыбұлақ оқу орталығы", ru="Центр села Талдыбулак"),
                     settlement="Талдыбұлақ", district="Еңбекшіқазақ ауданы")
TWO = (DEMO, TALDY)


def village(i: int) -> CentreOption:
    name = f"Ауыл{i:02d}"
    return CentreOption(slug=f"v{i}", name=Localized(kk=f"{name} орталығы", ru=f"Центр {name}"), settlement=name)


MANY = (*(village(i) for i in range(1, 13)), CentreOption(slug="kok", name=Localized("Көктал", "Коктал"),
                                                          settlement="Көктал"))


def facts(centres: tuple[CentreOption, ...], *, centre: str | None = None, language: str | None = "ru",
          name: str | None = None, is_new: bool = False) -> Facts:
    return Facts(contact=ContactFacts(1, language, is_new, centre_slug=centre, name=name), centres=centres)


def say(state: State | None, f: Facts, text: str | None = None, **kwargs: object) -> Step:
    event = Inbound("simulator", "sim:1", text=text, **kwargs)  # type: ignore[arg-type]
    return step(state, event, NOW, f, FLOWS)


def keys(result: Step) -> list[str]:
    return [part.key if isinstance(part, Msg) else part.kk for r in result.replies for part in r.body]


def choice_ids(result: Step) -> list[str]:
    return [c.id for c in result.replies[-1].choices]


def test_a_new_person_chooses_the_centre_after_the_language_then_is_asked_their_name() -> None:
    first = say(None, facts(TWO, language=None, is_new=True))
    chosen = say(first.state, facts(TWO, language=None), "2")
    assert chosen.effects[-1].__class__.__name__ == "SetLanguage"
    assert chosen.state["stage"] == "centre"
    prompt = chosen.replies[-1]
    # Labelled by village, in the order the dispatcher gives (by village name).
    assert [(c.id, c.label) for c in prompt.choices] == [
        ("demo", Localized("Ақсу", "Ақсу")), ("taldy", Localized("Талдыбұлақ", "Талдыбұлақ"))
    ]
    picked = say(chosen.state, facts(TWO), "2")
    assert AttachCentre("taldy") in picked.effects
    assert keys(picked)[0] == "Done: your learning centre is {centre}."
    assert picked.replies[0].body[0] == Msg("Done: your learning centre is {centre}.", {"centre": TALDY.name})
    assert picked.state["stage"] == "name"  # the name question comes next, the menu below it
    assert choice_ids(picked)[-1] == "centre"  # "My learning centre" is the menu's last item


def test_a_village_typed_without_kazakh_letters_or_a_button_chooses_it() -> None:
    asked = say({"stage": "centre", "data": {}}, facts(TWO), "/menu")
    assert asked.state["stage"] == "centre"  # no way round the question without a centre
    assert say(asked.state, facts(TWO), "  аксу ").effects == (AttachCentre("demo"),)
    pressed = say(asked.state, facts(TWO), choice="taldy", context="centre")
    assert pressed.effects == (AttachCentre("taldy"),)
    assert pressed.state["stage"] == "menu"


def test_an_unknown_village_is_said_so_and_the_list_is_shown_again() -> None:
    asked: State = {"stage": "centre", "data": {}, "ctx": "centre"}
    for text in ("Алматы", "7", "😀", "х" * 5000):
        result = say(asked, facts(TWO), text)
        assert not result.effects
        assert keys(result)[0] == "I could not find a learning centre for that village."
        assert choice_ids(result) == ["demo", "taldy"]
        assert result.state["stage"] == "centre"


def test_a_person_without_a_centre_is_asked_for_it_before_the_menu_but_help_and_language_work() -> None:
    at_menu: State = {"stage": "menu", "data": None}
    asked = say(at_menu, facts(TWO), "/courses")
    assert asked.state["stage"] == "centre" and choice_ids(asked) == ["demo", "taldy"]
    helped = say(asked.state, facts(TWO), "/help")
    assert keys(helped)[0].startswith("This bot belongs to")
    assert choice_ids(helped) == ["demo", "taldy"]
    language = say(asked.state, facts(TWO), "/language")
    assert language.state["stage"] == "choose_language"
    back = say(language.state, facts(TWO), "1")
    assert back.state["stage"] == "centre"  # the language changed, the centre is still needed


def test_with_one_centre_nobody_is_asked_and_the_menu_has_no_centre_item() -> None:
    first = say(None, facts((DEMO,), language=None, is_new=True))
    chosen = say(first.state, facts((DEMO,), language=None), "2")
    assert chosen.state["stage"] == "name"
    assert "centre" not in choice_ids(chosen)
    assert say({"stage": "menu"}, facts((DEMO,), centre="demo"), "/centre").state["stage"] == "menu"


def test_a_deep_link_sets_the_centre_without_asking() -> None:
    result = say({"stage": "menu"}, facts(TWO), "/start taldy", start_payload="taldy")
    assert AttachCentre("taldy") in result.effects
    assert result.state["stage"] == "menu"


def test_changing_centre_from_the_menu_shows_the_current_one_and_cancel_keeps_it() -> None:
    mine = facts(TWO, centre="demo")
    menu = say({"stage": "menu"}, mine, "/menu")
    assert choice_ids(menu)[-1] == "centre"
    number = str(len(choice_ids(menu)))
    opened = say(menu.state, mine, number)
    assert opened.state["stage"] == "centre"
    assert [c.selected for c in opened.replies[-1].choices] == [True, False]
    assert say(opened.state, mine, "/cancel").state["stage"] == "menu"
    moved = say(opened.state, mine, "Талдыбұлақ")
    assert moved.effects == (AttachCentre("taldy"),) and moved.state["stage"] == "menu"
    by_word = say({"stage": "menu"}, mine, "мой центр")
    assert by_word.state["stage"] == "centre"


def test_with_many_centres_the_person_writes_the_village_and_chooses_among_the_matches() -> None:
    asked = say({"stage": "menu"}, facts(MANY), "hello there")
    assert asked.state["stage"] == "centre"
    assert not asked.replies[-1].choices and asked.replies[-1].expects == "text"
    assert say(asked.state, facts(MANY), "коктал").effects == (AttachCentre("kok"),)  # exact name
    found = say(asked.state, facts(MANY), "ауыл0")
    assert choice_ids(found) == [f"v{i}" for i in range(1, 9)]  # at most a screenful of matches
    assert say(found.state, facts(MANY), "3").effects == (AttachCentre("v3"),)
    narrowed = say(asked.state, facts(MANY), "ауыл1")
    assert choice_ids(narrowed) == ["v10", "v11", "v12"]
    assert say(narrowed.state, facts(MANY), "2").effects == (AttachCentre("v11"),)
    assert say(found.state, facts(MANY), "ауыл09").effects == (AttachCentre("v9"),)  # past the screenful
    too_short = say(asked.state, facts(MANY), "ау")
    assert keys(too_short)[0] == "I could not find a learning centre for that village."


def test_twin_village_names_are_told_apart_by_district() -> None:
    twin = replace(TALDY, slug="aksu2", settlement="Ақсу", district="Сарқан ауданы")
    asked = say({"stage": "menu"}, facts((DEMO, twin)), "hi")
    labels = [c.label for c in asked.replies[-1].choices]
    assert labels == [Localized("Ақсу (Еңбекшіқазақ ауданы)", "Ақсу (Еңбекшіқазақ ауданы)"),
                      Localized("Ақсу (Сарқан ауданы)", "Ақсу (Сарқан ауданы)")]


def test_a_typed_village_name_two_centres_share_lists_both_rather_than_picking_one() -> None:
    twin = replace(TALDY, slug="aksu2", settlement="Ақсу", district="Сарқан ауданы")
    both = facts((DEMO, twin))
    asked = say({"stage": "menu"}, both, "hi")
    typed = say(asked.state, both, "Ақсу")
    assert not typed.effects
    assert choice_ids(typed) == ["demo", "aksu2"]
    assert say(typed.state, both, "2").effects == (AttachCentre("aksu2"),)


def test_a_button_of_the_full_list_still_works_after_a_search_narrowed_it() -> None:
    asked = say({"stage": "menu"}, facts(MANY), "hello there")
    found = say(asked.state, facts(MANY), "ауыл1")
    assert choice_ids(found) == ["v10", "v11", "v12"]
    pressed = say(found.state, facts(MANY), choice="kok", context="centre")
    assert pressed.effects == (AttachCentre("kok"),)


def test_a_person_without_a_centre_can_still_erase_their_data() -> None:
    asked = say({"stage": "centre", "data": {}, "ctx": "centre"}, facts(TWO), "удалить мои данные")
    assert asked.state["stage"] == "flow" and asked.state["flow"] == "forget"
    assert [c.id for c in asked.replies[-1].choices] == ["yes", "no"]

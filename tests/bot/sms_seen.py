"""What the course journey reads like over SMS where SMS says it more briefly (bot.channels.sms_wording).

Tests that walk one journey on every channel merge these over their expected texts when the
channel is SMS: ``seen = SEEN[language] | sms_seen(channel, language)``.
"""

from __future__ import annotations

SMS_SEEN: dict[str, dict[str, str]] = {
    "kk": {
        "menu": "Мәзір:", "mine": "Жазылуларым", "listing": "Ашық курстар:", "schedule": "Сабақтар:",
        "rule": "Кезек жазылу ретімен.", "seat": "Сіз «Компьютер сауаттылығы» курсына жазылдыңыз.",
        "waiting": "Сіз күту тізіміне жазылдыңыз.",
        "first": "Кезектегі нөміріңіз: 1.", "second": "Кезектегі нөміріңіз: 2.",
        "sure": "«Компьютер сауаттылығы» курсынан шығасыз ба?",
        "offer": "«Компьютер сауаттылығы» курсында сізге орын босады!", "accept": "Қабылдау",
        "expired": "«Компьютер сауаттылығы» курсындағы орын ұсынысының мерзімі өтті.",
        "priority": "Басымдық жұмыссыздарға, одан кейін әйелдерге беріледі.",
        # the course feedback questionnaire's own sms: texts
        "useful": "Курс пайдалы болды ма?", "somewhat": "Біршама", "topics": "Тағы не үйренесіз?",
        "languages": "Шет тілі",
    },
    "ru": {
        "menu": "Меню:", "listing": "Открытые курсы:", "schedule": "Занятия:",
        "one_seat": "Компьютерная грамотность: 1 свободное место", "rule": "Очередь — в порядке записи.",
        "seat": "Вы записаны на курс «Компьютерная грамотность».", "waiting": "Вы записаны в очередь.",
        "sure": "Уйти с курса «Компьютерная грамотность»?",
        "offer": "Для вас есть место на курсе «Компьютерная грамотность»!", "accept": "Принять",
        "expired": "Срок предложения места на курсе «Компьютерная грамотность» истёк.",
        "priority": "Приоритет отдаётся безработным, затем женщинам.",
        "useful": "Курс был полезен?", "somewhat": "Отчасти", "topics": "Что изучать дальше?",
        "languages": "Ин. языки",
    },
}
MENU_WORD = {"kk": "мәзір", "ru": "меню"}


def sms_seen(channel: str, language: str) -> dict[str, str]:
    return SMS_SEEN[language] if channel == "sms" else {}

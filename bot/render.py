"""Channel-neutral rendering of replies; channels add their own shape (keyboards, segments)."""

from __future__ import annotations

from bot.i18n import Translator
from flows.events import N_, Msg, Reply

CHECK = "✓"


def render_body(reply: Reply, tr: Translator) -> str:
    """The reply's paragraphs, translated and joined by blank lines."""
    return "\n\n".join(part for part in (tr.text(item).strip() for item in reply.body) if part)


def choice_label(reply: Reply, index: int, tr: Translator) -> str:
    choice = reply.choices[index]
    label = tr.text(choice.label)
    return f"{label} {CHECK}" if choice.selected else label


def answer_hint(reply: Reply) -> Msg | None:
    """How to answer without buttons, by what the prompt expects."""
    if not reply.choices or reply.expects == "text":
        return None  # a written answer: the question says what to write; its options stay numbered
    if reply.expects == "choices":
        return Msg(N_("Send the numbers of your answers, for example: 1 3 5"))
    return Msg(N_("Send the number of your answer."))


def render_numbered(reply: Reply, tr: Translator, *, with_hint: bool = True) -> str:
    """Text channels: the body, then choices as numbered lines, then how to answer."""
    lines = [render_body(reply, tr)]
    if reply.choices:
        lines.append(
            "\n".join(
                f"{number}. {choice_label(reply, number - 1, tr)}"
                for number in range(1, len(reply.choices) + 1)
            )
        )
        hint = answer_hint(reply) if with_hint else None
        if hint is not None:
            lines.append(tr.text(hint))
    return "\n\n".join(line for line in lines if line)

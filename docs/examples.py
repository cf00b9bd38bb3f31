"""Write the README's worked examples from the code itself.

For one English and one Russian client message: the triage, the first suggested reply,
and the review of a poor draft. The README block between the markers below is replaced,
so what the README shows is what the code does; `tests/test_docs.py` fails when the
block is stale. Run: `python docs/examples.py`.
"""
from __future__ import annotations

import sys
from pathlib import Path

from coach import Coach

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- examples:start (python docs/examples.py) -->", "<!-- examples:end -->"
CASES = [
    ("en", "My dog Bella came back from this morning's walk limping, and she still won't put weight on her "
           "back paw. Nobody told me anything — I only noticed when I got home.",
     "Sorry you feel that way, but dogs limp sometimes, it's not my fault. Relax, she'll be fine by tomorrow.",
     "Sam"),
    ("ru", "Здравствуйте. Выгульщик сегодня опять не пришёл к нашему Рексу, уже третий раз за месяц. Рекс "
           "просидел дома до вечера. Сколько можно?",
     "Приносим свои извинения за доставленные неудобства. Выгульщик был занят, как я уже говорила, такое "
     "бывает.", "Анна"),
]


def block(coach: Coach) -> str:
    out = [START, ""]
    for lang, message, draft, name in CASES:
        t = coach.triage(message)
        s = coach.suggest(message, client_name=name)[0]
        r = coach.review(draft, context=message)
        out += [f"**{'English' if lang == 'en' else 'Russian'}.** The client writes:", "",
                f"> {message}", "",
                f"Triage: **{t.severity}** (client {t.tone}, {t.category}); do now: {t.route.action}", "",
                "First suggestion (`coach suggest`):", "", "```text", s.text, "```", "",
                "A poor draft:", "", f"> {draft}", "",
                f"Review (`coach review --context`): score **{r.score}/100**, tone {r.tone}; "
                f"moves present: {', '.join(r.moves) or 'none'}; missing: {', '.join(r.missing) or 'none'}.", ""]
        out += [f"- {note}" for note in r.explanations] + [""]
    out.append(END)
    return "\n".join(out)


def render(readme: str, coach: Coach) -> str:
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + block(coach) + tail


def main() -> int:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    new = render(text, Coach())
    if "--check" in sys.argv:
        return 0 if new == text else 1
    path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

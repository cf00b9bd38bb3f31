"""The `coach` command line: a thin layer over `Coach`.

Exit status 0 on success, 2 on bad input with a one-line reason on stderr (the
contract); message text is never written to logs.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .api import DEFAULT_MAX_CHARS
from .textio import InputError, read_text

EXIT_BAD_INPUT = 2


def _fail(msg: str) -> int:
    print(f"coach: {msg}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _print_findings(draft: str, findings) -> None:
    if not findings:
        print("No findings: nothing in this draft is likely to hurt the conversation.")
        return
    for f in findings:
        line, col = _line_col(draft, f.start)
        print(f"{line}:{col}  {f.category:<15} \"{f.text}\"  [{f.rule}]")
        print(f"      why: {f.message}")
        for s in f.suggestions:
            print(f"      try: {s}")


def cmd_check(args) -> int:
    from .api import Coach
    from . import lang as langs

    max_bytes = DEFAULT_MAX_CHARS * 4
    draft = read_text(args.file, max_bytes)
    if not draft.strip():
        raise InputError("the draft is empty")
    lang = args.lang
    if lang is None and args.context:
        # A draft with no letters ("👍", "???") takes the language of the client's message.
        context = read_text(args.context, max_bytes)
        if not any(ch.isalpha() for ch in draft):
            lang = langs.detect(context)
    findings = Coach().check(draft, lang=lang)
    if args.json:
        print(json.dumps({"lang": langs.resolve(draft, lang),
                          "findings": [f.to_dict() for f in findings]}, ensure_ascii=False))
    else:
        _print_findings(draft, findings)
    return 0


def _print_triage(t) -> None:
    print(f"severity  {t.severity}   (tone {t.tone}, category {t.category}, language {t.lang})")
    r = t.route
    print(f"do now    {r.action}")
    print(f"SLA       {r.sla}")
    for item in r.checklist:
        print(f"  [ ] {item}")
    print(f"tell      {r.tell_client}")
    if r.gift:
        print(f"gift      {r.gift}")
    if t.reasons:
        print("why")
        for reason in t.reasons:
            print(f"  - {reason}")


def cmd_triage(args) -> int:
    from .api import Coach

    message = read_text(args.file, DEFAULT_MAX_CHARS * 4)
    if not message.strip():
        raise InputError("the message is empty")
    t = Coach(playbook=args.playbook).triage(message, lang=args.lang)
    if args.json:
        print(json.dumps(t.to_dict(), ensure_ascii=False))
    else:
        _print_triage(t)
    return 0


def _print_review(r) -> None:
    print(f"score     {r.score}/100   (tone {r.tone}, language {r.lang})")
    if r.case:
        print(f"case      {r.case['severity']} (client {r.case['tone']}, {r.case['category']})")
    print(f"moves     {', '.join(r.moves) or '—'}")
    print(f"missing   {', '.join(r.missing) or '—'}")
    print("why")
    for note in r.explanations:
        print(f"  - {note}")
    if r.findings:
        print("phrases")
        for f in r.findings:
            print(f"  {f.category:<15} \"{f.text}\"  try: {f.suggestions[0] if f.suggestions else ''}")


def cmd_review(args) -> int:
    from .api import Coach

    max_bytes = DEFAULT_MAX_CHARS * 4
    draft = read_text(args.file, max_bytes)
    if not draft.strip():
        raise InputError("the draft is empty")
    context = read_text(args.context, max_bytes) if args.context else None
    r = Coach(playbook=args.playbook).review(draft, context=context or None, lang=args.lang)
    if args.json:
        print(json.dumps(r.to_dict(), ensure_ascii=False))
    else:
        _print_review(r)
    return 0


def cmd_suggest(args) -> int:
    from .api import Coach

    message = read_text(args.file, DEFAULT_MAX_CHARS * 4)
    if not message.strip():
        raise InputError("the message is empty")
    out = Coach(playbook=args.playbook).suggest(message, client_name=args.client_name, pet_name=args.pet_name,
                                                sender_name=args.sender_name, lang=args.lang, n=args.n)
    if args.json:
        print(json.dumps({"suggestions": [s.to_dict() for s in out]}, ensure_ascii=False))
    else:
        for s in out:
            print(f"--- {s.rank} (score {s.score}, {s.severity}) ---")
            print(s.text)
            print()
    return 0


def cmd_batch(args) -> int:
    from .batch import run

    n = run(args.input, args.output, kind=args.kind, column=args.column, encoding=args.encoding, jobs=args.jobs,
            resume=args.resume, engine_name=args.engine, scheduler=args.scheduler, progress=not args.quiet,
            triage_models="fast" if args.fast else "accurate")
    print(f"wrote {n:,} rows to {args.output}", file=sys.stderr)
    return 0


def cmd_train(args) -> int:
    if args.part in ("all", "triage"):
        from .classify.train import train_all

        summary = train_all(Path(args.data), Path(args.models))
        for task, by_lang in summary.items():
            print(f"{task:<9} test macro-F1 " + "  ".join(f"{k} {v:.3f}" for k, v in by_lang.items()))
    if args.part in ("all", "checker"):
        from .rules.train_model import train_all as train_checker

        meta = train_checker(Path(args.models) / "checker")
        for lang, s in meta["learned_layer"].items():
            print(f"checker   {lang}: {s['granularity']} units, C={s['C']}, thresholds {s['thresholds']}, "
                  f"{s['features']} features")
    if args.part in ("all", "tone"):
        from .review.tone import train_all as train_tone

        meta = train_tone(Path(args.models) / "draft_tone")
        for lang, info in meta["languages"].items():
            print(f"draft tone {lang}: {info['variant']}, test macro-F1 {info['test']['macro_f1']:.3f}")
    return 0


def cmd_evaluate(args) -> int:
    if args.checker:
        return _evaluate_checker(args)
    from .api import Coach
    from .triage.evaluate import evaluate_triage, format_triage

    coach = Coach(models=args.models, triage_models="fast" if args.fast else "accurate")
    data = Path(args.data or "data/messages.jsonl")
    report = evaluate_triage(coach, data, args.split)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(format_triage(report))
    return 0


def _evaluate_checker(args) -> int:
    from .api import Coach
    from .evaluate import evaluate_checker, format_report, load_jsonl, split_of

    path = Path(args.data or "data/drafts_dev.jsonl")
    if not path.exists():
        return _fail(f"no data at {path}")
    rows = load_jsonl(path)
    if args.split != "all":
        rows = [r for r in rows if split_of(r["id"]) == args.split]
    coach = Coach(models=args.models, learned=not args.rules_only)
    report = evaluate_checker(coach, rows)
    if args.json:
        print(json.dumps({"split": args.split, **report}, ensure_ascii=False, indent=1))
    else:
        print(format_report(report, f"Phrase checker on {path} ({args.split} part, {len(rows)} drafts)"))
        if args.errors:
            print(f"\nFirst {args.errors} errors:")
            for e in report["errors"][: args.errors]:
                print(f"  {e['id']:<10} {e['kind']:<12} {e['category']:<15} {e['text']!r}")
    if args.card:
        from .evaluate import checker_card
        from .rules.pack import load_rules

        all_rows = load_jsonl(path)
        test_rep = evaluate_checker(coach, [r for r in all_rows if split_of(r["id"]) == "test"])
        dev_rep = evaluate_checker(coach, [r for r in all_rows if split_of(r["id"]) == "dev"])
        real_rep = evaluate_checker(coach, load_jsonl(Path(args.real))) if args.real and Path(args.real).exists() else None
        card = Path(args.card)
        card.parent.mkdir(parents=True, exist_ok=True)
        test_rows = [r for r in all_rows if split_of(r["id"]) == "test"]
        rules_only = evaluate_checker(Coach(models=args.models, learned=False), test_rows)
        meta_path = coach.models_dir / "checker" / "metadata.json"
        layer = json.loads(meta_path.read_text(encoding="utf-8")).get("learned_layer") if meta_path.exists() else None
        card.write_text(checker_card(test_rep, dev_rep, real_rep, {l: len(load_rules(l)) for l in ("en", "ru")},
                                     rules_only, layer), encoding="utf-8")
        print(f"wrote {card}")
    if args.real:
        real = Path(args.real)
        if real.exists():
            rrows = load_jsonl(real)
            rreport = evaluate_checker(coach, rrows)
            if not args.json:
                print()
                print(format_report(rreport, f"Outside check: real replies in {real} ({len(rrows)} drafts)"))
        else:
            print(f"(no outside data at {real}; skipped)", file=sys.stderr)
    return 0


def cmd_serve(args) -> int:
    from .web import main as serve

    return serve(["--host", args.host, "--port", str(args.port)])


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="coach", description="Coach replies to unhappy pet-care clients.")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="find phrases in a reply draft that will hurt the conversation")
    c.add_argument("file", nargs="?", default="-", help="the draft (a text file), or - for stdin")
    c.add_argument("--context", help="the client's message the draft answers (a text file)")
    c.add_argument("--lang", choices=["en", "ru"], help="force the language (default: detected)")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.set_defaults(func=cmd_check)

    t = sub.add_parser("triage", help="severity, tone and category of a client's message, and what to do now")
    t.add_argument("file", nargs="?", default="-", help="the client's message (a text file), or - for stdin")
    t.add_argument("--lang", choices=["en", "ru"], help="force the language (default: detected)")
    t.add_argument("--playbook", help="a team's own playbook YAML (default: the embedded one)")
    t.add_argument("--json", action="store_true", help="print one JSON object")
    t.set_defaults(func=cmd_triage)

    rv = sub.add_parser("review", help="score a reply draft against what good first replies do")
    rv.add_argument("file", nargs="?", default="-", help="the draft (a text file), or - for stdin")
    rv.add_argument("--context", help="the client's message the draft answers (a text file)")
    rv.add_argument("--lang", choices=["en", "ru"], help="force the draft's language (default: detected)")
    rv.add_argument("--playbook", help="a team's own playbook YAML (default: the embedded one)")
    rv.add_argument("--json", action="store_true", help="print one JSON object")
    rv.set_defaults(func=cmd_review)

    sg = sub.add_parser("suggest", help="constructive first replies to a client's message")
    sg.add_argument("file", nargs="?", default="-", help="the client's message (a text file), or - for stdin")
    sg.add_argument("--client-name", help="the client's name, for the greeting")
    sg.add_argument("--pet-name", help="the pet's name (default: taken from the message when it is plain)")
    sg.add_argument("--sender-name", help="your name, to sign the reply")
    sg.add_argument("--lang", choices=["en", "ru"], help="force the language (default: detected)")
    sg.add_argument("--playbook", help="a team's own playbook YAML (default: the embedded one)")
    sg.add_argument("-n", type=int, default=3, help="how many replies (at least 3)")
    sg.add_argument("--json", action="store_true", help="print one JSON object")
    sg.set_defaults(func=cmd_suggest)

    b = sub.add_parser("batch", help="process a file of messages or drafts: one output row per input row")
    b.add_argument("input", help="CSV, TSV, JSONL, XLSX or TXT (one text per line)")
    b.add_argument("-o", "--output", required=True, help="CSV, XLSX, JSONL or HTML")
    b.add_argument("--kind", choices=["messages", "drafts", "quick"], default="messages",
                   help="messages: triage and a first reply; drafts: review; quick: triage and check only "
                        "(default: messages)")
    b.add_argument("--column", help="the text column (default: found by name: text, message, draft, ...)")
    b.add_argument("--encoding", help="the input's encoding (default: UTF-8, UTF-8 with BOM or cp1251, detected)")
    b.add_argument("--jobs", type=int, default=1, help="processes to spread the rows over")
    b.add_argument("--resume", action="store_true", help="continue a killed job from its journal")
    b.add_argument("--engine", choices=["local", "dask"], default="local")
    b.add_argument("--scheduler", help="with --engine dask: the scheduler's address (tcp://host:8786)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--fast", action="store_true",
                   help="triage with the TF-IDF-only models: several times faster, a few points less "
                        "accurate (see models/*/MODEL_CARD.md)")
    b.set_defaults(func=cmd_batch)

    tr = sub.add_parser("train", help="rebuild the models in models/ from data/")
    tr.add_argument("--data", default="data/messages.jsonl")
    tr.add_argument("--models", default="models")
    tr.add_argument("--part", choices=["all", "triage", "checker", "tone"], default="all",
                    help="train only the triage models, the checker's learned layer or the draft-tone model")
    tr.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="per-class metrics on the test part: triage (default) or --checker")
    e.add_argument("--checker", action="store_true", help="evaluate the phrase checker instead of triage")
    e.add_argument("--fast", action="store_true", help="evaluate the fast (TF-IDF-only) triage models")
    e.add_argument("--models", default=None, help="models folder (default: the project's models/)")
    e.add_argument("--data", default=None,
                   help="labelled data (default: data/messages.jsonl, or data/drafts_dev.jsonl with --checker)")
    e.add_argument("--split", choices=["train", "dev", "test", "all"], default="test")
    e.add_argument("--real", default="../shared/datasets/real-pet-care/replies.jsonl",
                   help="outside data to report beside the test figures, if present")
    e.add_argument("--errors", type=int, default=0, help="list the first N errors")
    e.add_argument("--card", help="with --checker: write the checker's model card to this path")
    e.add_argument("--rules-only", action="store_true", help="with --checker: the rule packs without the learned layer")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("serve", help="start the web app")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=7860)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()   # inside the try: a closed pipe shows here, not at exit
        return code
    except InputError as exc:
        return _fail(str(exc))
    except (ValueError, TypeError) as exc:
        return _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    except BrokenPipeError:
        # the reader went away (`coach check - --json | head`): stop quietly, as Unix
        # tools do, and keep Python from complaining again when it flushes at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())

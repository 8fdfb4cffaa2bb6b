"""The commands for service standards, notices and feedback: `notices`, `status set|clear`, `feedback import`
(engine/cli.py adds them with `add_parsers` and dispatches through `COMMANDS`), and the feedback section of
`report`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None


def _today() -> date:
    """The build day: SOURCE_DATE_EPOCH when set (as `build` does), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return date.fromtimestamp(int(epoch))
    return date.today()


def add_parsers(commands: Any, common: Callable[..., None]) -> None:
    notices = commands.add_parser("notices", help="list the active and upcoming notices (_notices.yaml)",
                                  description="The notices active on the day (--as-of, else SOURCE_DATE_EPOCH, else "
                                              "today) and those still to come, each with its window, its target "
                                              "and how many answers it leads.")
    common(notices)
    notices.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="the day to list them for")
    notices.add_argument("--format", choices=("text", "json"), default="text")

    status = commands.add_parser("status", help="publish or withdraw 'we cannot meet this standard' in one step",
                                 description="`status set STANDARD missed --until DATE` writes a notice made from "
                                             "the template in _standards.yaml into _notices.yaml (it then leads every "
                                             "channel of every answer the standard concerns); `status clear "
                                             "STANDARD` removes it.")
    actions = status.add_subparsers(dest="status_action", metavar="ACTION", required=True)
    setting = actions.add_parser("set", help="mark a standard missed until a date")
    common(setting)
    setting.add_argument("standard", metavar="STANDARD")
    setting.add_argument("state", choices=("missed",), metavar="missed")
    setting.add_argument("--until", type=_date, required=True, metavar="YYYY-MM-DD",
                         help="the last day the notice is shown")
    setting.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD",
                         help="the first day (default: today, or SOURCE_DATE_EPOCH's day)")
    clearing = actions.add_parser("clear", help="withdraw a standard's missed notice")
    common(clearing)
    clearing.add_argument("standard", metavar="STANDARD")

    feedback = commands.add_parser("feedback", help="import customer feedback events from every channel",
                                   description="`feedback import FILE` reads CSV (header: time,channel,answer,hash,"
                                               "outcome,comment) or JSON lines, stores every valid event in "
                                               "<kb>/_feedback/events.jsonl and reports every bad row with its line.")
    verbs = feedback.add_subparsers(dest="feedback_action", metavar="ACTION", required=True)
    importing = verbs.add_parser("import", help="import an export of feedback events")
    common(importing)
    importing.add_argument("file", type=Path, metavar="FILE")
    importing.add_argument("--format", choices=("text", "json", "github"), default="text")


def cmd_notices(args: argparse.Namespace) -> int:
    from engine.diagnostics import Report, render
    from engine.knowledge import load

    day = args.as_of or _today()
    report = Report()
    kb = load(args.kb, report, as_of=day)
    errors = [d for d in report.errors if "_notices" in d.path or "_standards" in d.path]
    if errors:
        sys.stdout.write(render(errors, "text"))
    listed = [n for n in kb.notices.items if n.active(day) or n.upcoming(day)]
    listed.sort(key=lambda n: (not n.active(day), n.effective_from, n.id))
    if args.format == "json":
        print(json.dumps({"as_of": day.isoformat(), "notices": [
            {"id": n.id, "state": "active" if n.active(day) else "upcoming", "from": n.effective_from.isoformat(),
             "until": n.effective_until.isoformat(), "from_time": n.from_time, "until_time": n.until_time,
             "target": n.target.model_dump(exclude_none=True, exclude_defaults=True), "answers": sorted(n.targets),
             "message": n.text} for n in listed]}, indent=2))
    else:
        if not listed:
            print(f"no notice is active or upcoming as of {day}")
        for notice in listed:
            state = "active  " if notice.active(day) else "upcoming"
            target = ", ".join(f"{k} {v}" for k, v in
                               notice.target.model_dump(exclude_none=True, exclude_defaults=True).items())
            print(f"{state} {notice.id}: {notice.window()}; {target or 'everything'} "
                  f"({len(notice.targets)} answer{'s' * (len(notice.targets) != 1)})\n    {notice.text}")
    return EXIT_CONTENT if errors else EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from engine.status import StatusError, clear, set_missed

    if not args.kb.is_dir():
        print(f"build.py status: error: --kb {args.kb} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.status_action == "set":
            written = set_missed(args.kb, args.standard, args.until, args.start or _today())
            print(f"wrote notice {written.notice_id} to {written.path}: {written.message}")
            print("run `check` (or `build`) to see it in every channel; `status clear "
                  f"{args.standard}` withdraws it", file=sys.stderr)
            return EXIT_OK
        removed = clear(args.kb, args.standard)
    except StatusError as error:
        print(f"build.py status: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"removed {', '.join(removed)}" if removed else f"no missed notice for `{args.standard}` to clear")
    return EXIT_OK


def cmd_feedback(args: argparse.Namespace) -> int:
    from engine.diagnostics import Report, render
    from engine.feedback import import_file
    from engine.knowledge import display_path

    if not args.file.is_file():
        print(f"build.py feedback: error: {args.file} is not a file", file=sys.stderr)
        return EXIT_USAGE
    if not args.kb.is_dir():
        print(f"build.py feedback: error: --kb {args.kb} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    report = Report()
    result = import_file(args.kb, args.file, display_path(args.file), report)
    sys.stdout.write(render(report.items, args.format))
    if not args.quiet:
        print(f"imported {result.added} event{'s' * (result.added != 1)} into {display_path(result.store)}"
              f" ({result.already} already stored); {result.rows_bad} bad row{'s' * (result.rows_bad != 1)} "
              "reported above" if result.rows_bad else
              f"imported {result.added} event{'s' * (result.added != 1)} into {display_path(result.store)}"
              f" ({result.already} already stored)", file=sys.stderr)
    return EXIT_CONTENT if result.rows_bad else EXIT_OK


def report_feedback(kb: Path, manifest: Any) -> str:
    """The feedback section of `report` (joined on the hashes the bundle published; none without feedback) and
    the self-assessment (engine/assessment.py); "" when the knowledge base is not there."""
    from engine.diagnostics import Report
    from engine.feedback import STORE, load_store, report_text, summarise

    from engine.assessment import assessment
    from engine.knowledge import load

    if not kb.is_dir():
        return ""
    day = _today()
    events = load_store(kb, str(kb / STORE), Report())
    hashes = {answer_id: entry.hash for answer_id, entry in manifest.answers.items()}
    summaries = summarise(events, hashes, day)
    return report_text(summaries) + assessment(load(kb, Report(), as_of=day), manifest, summaries, day)


COMMANDS = {"notices": cmd_notices, "status": cmd_status, "feedback": cmd_feedback}

#!/usr/bin/env python3
"""The command line: `check`, `schema`, `new`. Wiring only; the work happens in `engine/`."""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Sequence

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None


def _today() -> date:
    """Today, or the day SOURCE_DATE_EPOCH names, so that builds and checks can be reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return date.fromtimestamp(int(epoch))
    return date.today()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="One answer, every channel: check and compile the customer-service knowledge base.",
        epilog="Exit codes: 0 ok, 1 content errors (all reported), 2 usage error.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--kb", type=Path, default=Path("knowledge"), metavar="PATH",
                         help="the knowledge base folder (default: knowledge/)")

    check = commands.add_parser("check", help="validate the whole knowledge base and report every problem",
                                description="Load and validate every answer file and the shared facts; report "
                                            "every problem as path:line:col: severity: code: message.")
    common(check)
    check.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                       help="the day to judge review dates and effective windows by (default: today)")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="diagnostics as text lines, a JSON list, or GitHub workflow annotations")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")

    schema = commands.add_parser("schema", help="print the JSON Schema of the front matter or of _facts.yaml",
                                 description="JSON Schemas for editors' YAML tooling (completion, validation).")
    common(schema)
    schema.add_argument("which", nargs="?", choices=("answer", "facts", "settings"), default="answer",
                        help="which schema to print (default: answer)")
    schema.add_argument("--out", type=Path, metavar="DIR",
                        help="write answer.schema.json, facts.schema.json and settings.schema.json into DIR")

    new = commands.add_parser("new", help="scaffold a new answer file with every field explained",
                              description="Write knowledge/TOPIC/SLUG.md from a template that explains every field.")
    common(new)
    new.add_argument("target", metavar="TOPIC/SLUG", help="e.g. billing/pay-by-phone")
    return parser


def cmd_check(args: argparse.Namespace) -> int:
    from engine.diagnostics import Report, render, summary
    from engine.knowledge import load

    if not args.kb.is_dir():
        print(f"build.py check: error: --kb {args.kb} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    report = Report()
    kb = load(args.kb, report, as_of=args.as_of or _today())
    items = report.items
    sys.stdout.write(render(items, args.format))
    if args.format != "json":
        print(summary(items, len(kb.answers)), file=sys.stderr)
    failed = report.has_errors() or (args.strict and bool(items))
    return EXIT_CONTENT if failed else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import channels
    from engine.schema import answer_schema, facts_schema, settings_schema

    schemas = {"answer": answer_schema(channels.names()), "facts": facts_schema(), "settings": settings_schema()}
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, schema in schemas.items():
            (args.out / f"{name}.schema.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
            print(args.out / f"{name}.schema.json")
        return EXIT_OK
    print(json.dumps(schemas[args.which], indent=2))
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from engine.scaffold import render, slug_error

    problem = slug_error(args.target)
    if problem:
        print(f"build.py new: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    path = args.kb / f"{args.target}.md"
    if path.exists():
        print(f"{path}:1:1: error: exists: the answer already exists; edit it instead", file=sys.stderr)
        return EXIT_CONTENT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(args.target, _today()), encoding="utf-8")
    print(path)
    return EXIT_OK


COMMANDS = {"check": cmd_check, "schema": cmd_schema, "new": cmd_new}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""The command line (`one-answer`, or `python build.py` in the repository): `check`, `build`, `serve`, `report`, `diff`, `verify`, `releases`, `rollback`, `schema`,
`new`. Wiring only; the work is in `engine/`."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
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


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535; 0 picks a free one)")
    return int(text)


def _channel_list(text: str) -> tuple[str, ...]:
    import channels

    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in channels.names()]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown channel {', '.join(unknown) or '(none given)'}: choose from {', '.join(channels.names())}")
    return names


def _epoch_problem() -> str | None:
    """Why SOURCE_DATE_EPOCH cannot name a day, or None (unset, or a valid count of seconds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    if not epoch.isdigit():
        return f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970-01-01"
    try:
        date.fromtimestamp(int(epoch))
    except (OverflowError, OSError, ValueError):
        return f"SOURCE_DATE_EPOCH={epoch} is beyond the dates this system can represent"
    return None


def _today() -> date:
    """Today, or the day SOURCE_DATE_EPOCH names (checked by `main`), so that builds and checks can be
    reproduced."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and _epoch_problem() is None:
        return date.fromtimestamp(int(epoch))
    return date.today()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("one-answer")
    except PackageNotFoundError:
        return "(not installed: run from a checkout)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="One answer, every channel: check and compile the customer-service knowledge base.",
        epilog="Exit codes: 0 ok, 1 content errors (all reported), 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"one-answer {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--kb", type=Path, default=Path("knowledge"), metavar="PATH",
                         help="the knowledge base folder (default: knowledge/)")
        sub.add_argument("--quiet", "-q", action="store_true",
                         help="print errors only: no warnings, no summary or success line")

    check = commands.add_parser("check", help="validate the whole knowledge base and report every problem",
                                description="Load and validate every answer file, the shared facts and the channel "
                                            "configs; render every channel in memory and run the consistency gate "
                                            "(same facts everywhere, nothing invented, nothing internal leaked, "
                                            "budgets held); report every problem as "
                                            "path:line:col: severity: code: message.")
    common(check)
    check.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                       help="the day to judge review dates and effective windows by (default: today)")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="diagnostics as text lines, a JSON list, or GitHub workflow annotations")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--no-render", action="store_true",
                       help="validate the sources only; skip rendering every channel in memory and the consistency gate")
    check.add_argument("--jobs", type=_positive, default=None, metavar="N",
                       help="render in N processes (default: the number of cores)")

    schema = commands.add_parser("schema", help="print the JSON Schema of the front matter or of _facts.yaml",
                                 description="JSON Schemas for editors' YAML tooling (completion, validation).")
    common(schema)
    schema.add_argument("which", nargs="?", choices=("answer", "facts", "settings"), default="answer",
                        help="which schema to print (default: answer)")
    schema.add_argument("--out", type=Path, metavar="DIR",
                        help="write answer.schema.json, facts.schema.json and settings.schema.json into DIR")

    build = commands.add_parser("build", help="compile every channel into the output folder, atomically",
                                description="Check the knowledge base, render every answer for every channel, "
                                            "and publish the output folder with its manifest in one atomic step. "
                                            "On any error nothing is published and the previous output stays.")
    common(build)
    build.add_argument("--out", type=Path, default=Path("dist"), metavar="PATH", help="output folder (default: dist/)")
    build.add_argument("--channels", type=_channel_list, metavar="A,B",
                       help="only these channels (default: every channel in channels/)")
    build.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                       help="publish the answers effective on this day (default: today)")
    build.add_argument("--jobs", type=_positive, default=None, metavar="N",
                       help="render in N processes (default: the number of cores)")
    build.add_argument("--format", choices=("text", "json", "github"), default="text", help="diagnostics format")
    build.add_argument("--release", action="store_true",
                       help="publish as a new release OUT/releases/<id>/ and switch OUT/current to it atomically")
    build.add_argument("--keep", type=_positive, default=None, metavar="N",
                       help="with --release: keep the newest N releases (default: 5; the current one and the one "
                            "rollback would go to are always kept)")
    build.add_argument("--cache", type=Path, metavar="DIR",
                       help="the incremental build cache (default: .OUT.cache beside the output folder)")
    build.add_argument("--no-cache", action="store_true", help="render everything; neither read nor write the cache")
    build.add_argument("--keep-going", action="store_true",
                       help="publish every answer that passes and hold back the rest (each keeps its last published "
                            "version, if any); they are listed, and the exit code is still 1")
    build.add_argument("--allow-empty", action="store_true",
                       help="publish even when the knowledge base holds no answer (refused by default: a wrong --kb "
                            "would empty the live bundle)")
    build.add_argument("--no-wait", action="store_true",
                       help="fail (exit 2) instead of waiting when another build or rollback writes the same --out")
    build.add_argument("--explain", action="store_true",
                       help="print why each answer is rendered again (`id: reason`) on standard error")
    build.add_argument("--dask", metavar="ADDRESS",
                       help="render on a Dask cluster: a scheduler address (tcp://host:8786), or `local` for a "
                            "LocalCluster of --jobs worker processes; needs the `scale` extra")

    serve = commands.add_parser("serve", help="serve the built output folder locally (reference site and web pages)",
                                description="Serve the output folder over HTTP on this machine: the reference site "
                                            "at /reference/, the web pages at /web/. Builds first when the folder "
                                            "has no manifest yet, or always with --build. Stop with Ctrl-C.")
    common(serve)
    serve.add_argument("--out", type=Path, default=Path("dist"), metavar="PATH", help="the bundle (default: dist/)")
    serve.add_argument("--port", type=_port, default=8000, metavar="N", help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--build", action="store_true", help="build before serving even if the bundle exists")

    report = commands.add_parser("report", help="summarise a published bundle from its manifest",
                                 description="Outputs per channel, overrides used, and the largest SMS, IVR, chat, "
                                             "card and page of a published bundle, read from its manifest.")
    report.add_argument("--out", type=Path, default=Path("dist"), metavar="PATH", help="the bundle (default: dist/)")

    diff = commands.add_parser("diff", help="what changed per channel between two bundles",
                               description="Compare two bundles' manifests: per channel, the answers whose output "
                                           "was added, removed or changed. Exit 0 either way.")
    diff.add_argument("old", type=Path, help="the previous bundle (folder or manifest.json)")
    diff.add_argument("new", type=Path, nargs="?", default=Path("dist"), help="the new bundle (default: dist/)")
    diff.add_argument("--format", choices=("text", "json"), default="text")

    verify = commands.add_parser("verify", help="check a bundle against its manifest before deploying it",
                                 description="Check that every file the manifest lists is present with its sha256, "
                                             "that nothing else is in the bundle and that it holds no symlinks. "
                                             "DIST is a bundle, a release folder, or an output folder with "
                                             "releases (its `current` release is checked). Exit 0 ok, 1 problems, "
                                             "2 usage.")
    verify.add_argument("dist", type=Path, metavar="DIST", help="the bundle to check")
    verify.add_argument("--format", choices=("text", "json"), default="text")

    releases = commands.add_parser("releases", help="list the releases of an output folder, the current one marked",
                                   description="List OUT/releases, newest first; `*` marks the one OUT/current "
                                               "points to.")
    releases.add_argument("--out", type=Path, default=Path("dist"), metavar="PATH",
                          help="the output folder (default: dist/)")
    releases.add_argument("--format", choices=("text", "json"), default="text")

    rollback = commands.add_parser("rollback", help="switch current back to the previous release, atomically",
                                   description="Point OUT/current at the release made just before the current one "
                                               "(or at --to RELEASE_ID), in one atomic step, after verifying it: "
                                               "every channel switches at once. Rolling back twice goes back two "
                                               "releases.")
    rollback.add_argument("--out", type=Path, default=Path("dist"), metavar="PATH",
                          help="the output folder (default: dist/)")
    rollback.add_argument("--no-wait", action="store_true",
                          help="fail (exit 2) instead of waiting when a build writes the same --out")
    rollback.add_argument("--to", metavar="RELEASE_ID", help="the release to switch to (default: the one before current)")

    explain = commands.add_parser("explain", help="what a diagnostic code means and what to do about it",
                                  description="Explain one diagnostic code (e.g. `explain invented-fact`), or list "
                                              "every code the engine reports.")
    explain.add_argument("code", nargs="?", metavar="CODE", help="the code, as diagnostics print it")

    init = commands.add_parser("init", help="start a knowledge base of your own (settings, facts, one answer)",
                               description="Write a new knowledge base into PATH (default knowledge/): "
                                           "_settings.yaml, _facts.yaml, _synonyms.yaml and one example answer, "
                                           "each saying what it is for. It checks clean as written.")
    init.add_argument("path", nargs="?", type=Path, default=Path("knowledge"), metavar="PATH")
    init.add_argument("--name", default="Our organisation", help="the organisation's name")

    new = commands.add_parser("new", help="scaffold a new answer file with every field explained",
                              description="Write knowledge/TOPIC/SLUG.md from a template that explains every field.")
    common(new)
    new.add_argument("target", metavar="TOPIC/SLUG", help="e.g. billing/pay-by-phone")
    return parser


def cmd_check(args: argparse.Namespace) -> int:
    import channels
    from engine.compile import default_jobs, gate, load_channels
    from engine.diagnostics import Report, render, summary
    from engine.knowledge import load

    if not args.kb.is_dir():
        print(f"build.py check: error: --kb {args.kb} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    report = Report()
    as_of = args.as_of or _today()
    names = channels.names()
    kb = load(args.kb, report, as_of=as_of, channels=names)
    loaded = load_channels(names, report, settings=kb.settings)
    if kb.answers and not args.no_render:  # every answer that loaded is rendered and gated, whatever else failed
        gate(kb, loaded, as_of, report, jobs=args.jobs or default_jobs())
    items = report.items
    sys.stdout.write(render([d for d in items if d.severity.value == "error"] if args.quiet else items, args.format))
    if args.format != "json" and not args.quiet:
        unchecked = len(kb.failed)
        print(summary(items, len(kb.answers))
              + (f"; {unchecked} answer file{'s' * (unchecked != 1)} could not be checked (they failed to load: "
                 f"see their errors)" if unchecked else ""), file=sys.stderr)
    failed = report.has_errors() or (args.strict and bool(items))
    return EXIT_CONTENT if failed else EXIT_OK


def _has_answers(kb: Path) -> bool:
    """Whether the knowledge base holds at least one answer file (stops at the first)."""
    for _, dirs, names in os.walk(kb):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if any(name.endswith(".md") for name in names):
            return True
    return False


def _refusal(args: argparse.Namespace, out: Path, cache: Path) -> str | None:
    """Why this build must not run at all (exit 2, before anything is read or rendered), or None."""
    from engine import ownership
    from engine.cache import CODE_ROOT

    if not args.kb.is_dir():
        return f"--kb {args.kb} is not a folder"
    if args.keep is not None and not args.release:
        return "--keep needs --release"
    problem = ownership.out_problem(out, args.kb, CODE_ROOT, release=args.release)
    if problem is None and not args.no_cache:
        problem = ownership.cache_problem(cache, out, args.kb, CODE_ROOT)
    if problem is None and not args.allow_empty and not _has_answers(args.kb):
        problem = (f"--kb {args.kb} holds no answer files (*.md); publishing it would empty {args.out}: check "
                   f"--kb, or pass --allow-empty to publish an empty bundle")
    return problem


def cmd_build(args: argparse.Namespace) -> int:
    from engine import ownership, stamp  # standard library only: a no-op build needs nothing heavier
    from engine.writer_lock import Busy, WriterLock

    out = ownership.follow(args.out)  # a link to a web root stays a link; its target is what is published
    cache = args.cache or stamp.default_folder(args.out)
    problem = _refusal(args, out, cache)
    if problem:
        print(f"build.py build: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with WriterLock(out, wait=not args.no_wait,
                        waiting=lambda line: print(line, file=sys.stderr, flush=True)):
            return _build_locked(args, out, cache)
    except Busy as busy:
        print(f"build.py build: error: {busy}; wait for it, or drop --no-wait", file=sys.stderr)
        return EXIT_USAGE


def _build_locked(args: argparse.Namespace, out: Path, cache: Path) -> int:
    from engine import stamp

    as_of = args.as_of or _today()
    if not args.no_cache:
        last = stamp.unchanged(cache, args.kb, out, stamp.options(args.kb, out, as_of, args.channels, args.release))
        if last is not None:  # exactly what the no-op below prints, from stats alone
            if not args.quiet:  # a published build had no errors: quiet shows nothing
                sys.stdout.write(last.printed[args.format])
                print(f"{args.out} is up to date", file=sys.stderr)
            return EXIT_OK

    from engine import cluster
    from engine.compile import default_jobs
    from engine.diagnostics import Report, render
    from engine.incremental import Incremental
    from engine.publish import build
    from engine.releases import DEFAULT_KEEP, layout_problem

    problem = layout_problem(out, args.release)
    if problem:
        print(f"build.py build: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    report = Report()
    keep = (args.keep or DEFAULT_KEEP) if args.release else None
    incremental = None
    if not args.no_cache:
        explain = (lambda line: print(line, file=sys.stderr)) if args.explain else None
        incremental = Incremental(cache, explain)
    jobs = args.jobs or default_jobs()
    try:
        with contextlib.ExitStack() as stack:
            pool = stack.enter_context(cluster.executor(args.dask, jobs)) if args.dask else None
            result = build(args.kb, out, report, as_of=as_of, only=args.channels, jobs=jobs, executor=pool, keep=keep,
                           incremental=incremental, keep_going=args.keep_going)
    except cluster.ClusterError as error:
        print(f"build.py build: error: {error}; nothing was written", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(render(report.errors if args.quiet else report.items, args.format))
    if result.up_to_date:
        if not args.quiet:
            print(f"{args.out} is up to date", file=sys.stderr)
        return EXIT_OK
    if not result.published:
        errors = len(report.errors)
        print(f"not published: {errors} error{'s' * (errors != 1)}; {args.out} is unchanged", file=sys.stderr)
        return EXIT_CONTENT
    counts = ", ".join(f"{channel} {n}" for channel, n in sorted(result.outputs.items()))
    where = f"{args.out} (release {result.release}, now current)" if result.release else str(args.out)
    if not args.quiet:
        print(f"published {where} in {result.seconds:.1f} s: {counts}", file=sys.stderr)
    if result.held_back:
        kept = set(result.manifest.answers) if result.manifest else set()
        print(f"held back {len(result.held_back)} answer{'s' * (len(result.held_back) != 1)} with errors:",
              file=sys.stderr)
        for answer_id, reason in sorted(result.held_back.items()):
            state = "previous version kept" if answer_id in kept else "not published"
            print(f"  {answer_id} ({state}): {reason}", file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from engine.releases import bundle_folder, is_release_layout
    from engine.serve import make_server, urls

    if args.build or not (bundle_folder(args.out) / "manifest.json").is_file():
        build_args = argparse.Namespace(kb=args.kb, out=args.out, as_of=None, channels=None, jobs=None, format="text",
                                        release=is_release_layout(args.out), keep=None, cache=None, no_cache=False,
                                        explain=False, allow_empty=False, no_wait=False, keep_going=False, quiet=False)
        status = cmd_build(build_args)
        if status != EXIT_OK:
            return status
    try:
        server = make_server(bundle_folder(args.out), args.bind, args.port)
    except OSError as error:
        print(f"build.py serve: error: cannot listen on {args.bind}:{args.port}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    for label, url in urls(server):
        print(f"{label}: {url}")
    print("Serving until Ctrl-C.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def _manifest(path: Path, command: str):  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from engine.inspect import read_manifest

    try:
        return read_manifest(path)
    except (OSError, ValueError, ValidationError) as error:
        print(f"build.py {command}: error: {path} has no readable manifest ({type(error).__name__})", file=sys.stderr)
        return None


def cmd_report(args: argparse.Namespace) -> int:
    from engine.inspect import report

    manifest = _manifest(args.out, "report")
    if manifest is None:
        return EXIT_USAGE
    sys.stdout.write(report(manifest))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from engine.inspect import diff, diff_text

    old, new = _manifest(args.old, "diff"), _manifest(args.new, "diff")
    if old is None or new is None:
        return EXIT_USAGE
    changes = diff(old, new)
    if args.format == "json":
        print(json.dumps({channel: asdict(change) for channel, change in changes.items()}, indent=2))
    else:
        sys.stdout.write(diff_text(changes))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import channels
    from engine.schema import answer_schema, facts_schema, settings_schema

    schemas = {"answer": answer_schema(channels.names()), "facts": facts_schema(), "settings": settings_schema()}
    if args.out:
        try:
            args.out.mkdir(parents=True, exist_ok=True)
            for name, schema in schemas.items():
                (args.out / f"{name}.schema.json").write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
                print(args.out / f"{name}.schema.json")
        except OSError as error:
            shown = error.filename or args.out
            print(f"build.py schema: error: cannot write into --out {args.out}: {shown}: "
                  f"{error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
        return EXIT_OK
    print(json.dumps(schemas[args.which], indent=2))
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from engine.scaffold import knowledge_base

    target: Path = args.path
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"build.py init: error: {target} exists and is not an empty folder; init writes a new knowledge base",
              file=sys.stderr)
        return EXIT_USAGE
    for relative, text in knowledge_base(args.name, _today()).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
    print(f"next: set base_url in {target / '_settings.yaml'}, then `check --kb {target}`", file=sys.stderr)
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


def cmd_verify(args: argparse.Namespace) -> int:
    from engine.verify import verdict_json, verdict_text, verify

    if not args.dist.is_dir():
        print(f"build.py verify: error: {args.dist} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    verdict = verify(args.dist)
    if args.format == "json":
        print(json.dumps(verdict_json(verdict), indent=2))
    else:
        sys.stdout.write(verdict_text(verdict))
    return EXIT_OK if verdict.ok else EXIT_CONTENT


def _release_out(out: Path, command: str) -> bool:
    from engine.releases import is_release_layout

    if is_release_layout(out):
        return True
    print(f"build.py {command}: error: {out} holds no releases (build them with `build --release`)", file=sys.stderr)
    return False


def _answers(bundle: Path) -> str:
    from pydantic import ValidationError

    from engine.inspect import read_manifest

    try:
        return f"{len(read_manifest(bundle).answers)} answers"
    except (OSError, ValueError, ValidationError):
        return "no readable manifest"


def cmd_releases(args: argparse.Namespace) -> int:
    from engine.releases import RELEASES, current, listing, previous

    if not _release_out(args.out, "releases"):
        return EXIT_USAGE
    ids, now = listing(args.out), current(args.out)
    before = previous(args.out, now) if now else None
    if args.format == "json":
        print(json.dumps({"current": now, "rollback": before, "releases": ids[::-1]}, indent=2))
        return EXIT_OK
    for release_id in reversed(ids):
        mark = "*" if release_id == now else " "
        note = " (current)" if release_id == now else " (rollback goes here)" if release_id == before else ""
        print(f"{mark} {release_id}  {_answers(args.out / RELEASES / release_id)}{note}")
    if now is None:
        print(f"{args.out / 'current'} points to no release", file=sys.stderr)
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    from engine.ownership import follow
    from engine.writer_lock import Busy, WriterLock

    if not _release_out(args.out, "rollback"):
        return EXIT_USAGE
    try:
        with WriterLock(follow(args.out), wait=not args.no_wait, waiting=lambda line: print(line, file=sys.stderr, flush=True)):
            return _rollback_locked(args)
    except Busy as busy:
        print(f"build.py rollback: error: {busy}; wait for it, or drop --no-wait", file=sys.stderr)
        return EXIT_USAGE


def _rollback_locked(args: argparse.Namespace) -> int:
    from engine.releases import RELEASES, current, rollback_target, switch
    from engine.verify import verdict_text, verify

    try:
        target = rollback_target(args.out, args.to)
    except ValueError as error:
        print(f"build.py rollback: error: {error}", file=sys.stderr)
        return EXIT_CONTENT
    was = current(args.out)
    if target == was:
        print(f"{target} is already current", file=sys.stderr)
        return EXIT_OK
    verdict = verify(args.out / RELEASES / target)
    if not verdict.ok:
        sys.stdout.write(verdict_text(verdict))
        print(f"build.py rollback: error: release {target} fails verification; current stays {was}", file=sys.stderr)
        return EXIT_CONTENT
    try:
        switch(args.out, target)
    except OSError as error:
        print(f"build.py rollback: error: cannot switch {args.out / 'current'}: {error.strerror or error}; "
              f"current stays {was}", file=sys.stderr)
        return EXIT_CONTENT
    print(f"{args.out / 'current'}: {was} -> {target}", file=sys.stderr)
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from engine.codes import CODES, explain
    from engine.diagnostics import did_you_mean

    if args.code is None:
        for code in sorted(CODES):
            print(f"{code:<24} {CODES[code][0]}")
        return EXIT_OK
    text = explain(args.code)
    if text is None:
        hint = did_you_mean(args.code, CODES) or "run `explain` for the list"
        print(f"build.py explain: error: no diagnostic code `{args.code}`: {hint}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(text)
    return EXIT_OK


COMMANDS = {"init": cmd_init, "explain": cmd_explain, "check": cmd_check, "build": cmd_build, "serve": cmd_serve, "report": cmd_report, "diff": cmd_diff,
            "verify": cmd_verify, "releases": cmd_releases, "rollback": cmd_rollback, "schema": cmd_schema,
            "new": cmd_new}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    problem = _epoch_problem()
    if problem:
        print(f"build.py {args.command}: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        status = COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        status = 130
    if argv is None:  # run as the program: a Ctrl-C from here on must not turn a finished command into a crash
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return status


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
from typing import TYPE_CHECKING, Sequence

from engine import service_cli  # standard library only at import time: the no-op build stays quick

SCHEMA_NAMES = ("answer", "facts", "settings", "standards", "notices", "synonyms")  # engine.schema.schemas' keys

if TYPE_CHECKING:
    from engine.check import Checked
    from engine.preview import Preview
    from engine.serve import PreviewServer

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

    def common(sub: argparse.ArgumentParser, kb_help: str = "the knowledge base folder (default: knowledge/)",
               kb_default: Path | None = Path("knowledge")) -> None:
        sub.add_argument("--kb", type=Path, default=kb_default, metavar="PATH", help=kb_help)
        sub.add_argument("--quiet", "-q", action="store_true",
                         help="print errors only: no warnings, no summary or success line")

    check = commands.add_parser("check", help="validate the whole knowledge base and report every problem",
                                description="Load and validate every answer file, the shared facts and the channel "
                                            "configs; render every channel in memory and run the consistency gate "
                                            "(same facts everywhere, nothing invented, nothing internal leaked, "
                                            "budgets held); report every problem as "
                                            "path:line:col: severity: code: message.")
    common(check, "the knowledge base folder (default: knowledge/; with FILEs, the folder above them holding "
                  "_settings.yaml or _facts.yaml)", None)
    check.add_argument("files", nargs="*", type=Path, metavar="FILE",
                       help="check only these files (e.g. from a pre-commit hook): the whole knowledge base is "
                            "loaded, but only these answers and the answers that list them in `related` are "
                            "rendered and reported, with any error in a file every answer depends on; naming a "
                            "file that is not an answer (e.g. _facts.yaml) reports on everything")
    check.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                       help="the day to judge review dates and effective windows by (default: today)")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="diagnostics as text lines, a JSON list, or GitHub workflow annotations")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--no-render", action="store_true",
                       help="validate the sources only; skip rendering every channel in memory and the consistency gate")
    check.add_argument("--jobs", type=_positive, default=None, metavar="N",
                       help="render in N processes (default: the number of cores)")
    check.add_argument("--cache", type=Path, default=Path(".dist.cache"), metavar="DIR",
                       help="a build's cache: answers whose files are unchanged since that build are not parsed again "
                            "(read only; default: .dist.cache, the cache of `build`'s default output, when it exists)")
    check.add_argument("--no-cache", action="store_true", help="parse every answer; do not read a build's cache")

    schema = commands.add_parser("schema", help="print the JSON Schema of the front matter or of a knowledge-base file",
                                 description="JSON Schemas for editors' YAML tooling (completion, validation).")
    common(schema)
    schema.add_argument("which", nargs="?", choices=SCHEMA_NAMES, default="answer",
                        help="which schema to print (default: answer)")
    schema.add_argument("--out", type=Path, metavar="DIR",
                        help="write every schema into DIR as <which>.schema.json")

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
    serve.add_argument("--watch", action="store_true",
                       help="build now and again on every save under --kb, reload open pages, and keep serving the "
                            "last good bundle (its errors shown in the pages) when a build fails; the editor's "
                            "preview of every channel is at /_preview/")

    report = commands.add_parser("report", help="summarise a published bundle from its manifest",
                                 description="Outputs per channel, overrides used, and the largest SMS, IVR, chat, "
                                             "card and page of a published bundle, read from its manifest.")
    report.add_argument("--out", type=Path, default=Path("dist"), metavar="PATH", help="the bundle (default: dist/)")
    report.add_argument("--card", action="store_true",
                        help="the report card instead: a grade per answer and channel, worst first with what to fix "
                             "(the build writes it as reference/_report-card/index.html and card.json)")
    report.add_argument("--format", choices=("text", "json"), default="text", help="with --card: text or the card's JSON")
    report.add_argument("--kb", type=Path, default=Path("knowledge"), metavar="PATH",
                        help="the knowledge base whose feedback to add (default: knowledge/)")

    diff = commands.add_parser("diff", help="what changed per channel between two bundles, or since a git ref",
                               description="Compare two bundles' manifests, or (with --base REF) the knowledge base "
                                           "at a git ref with the working one, both built into temporary folders: "
                                           "per channel, the answers whose output was added, removed or changed "
                                           "and how their metrics moved; with --base, also each shared fact whose "
                                           "value changed, in which answers and channels. Exit 0 either way.")
    diff.add_argument("old", type=Path, nargs="?", help="the previous bundle (folder or manifest.json)")
    diff.add_argument("new", type=Path, nargs="?", default=Path("dist"), help="the new bundle (default: dist/)")
    diff.add_argument("--base", metavar="REF", help="compare the knowledge base at this git ref (a branch, tag or "
                                                    "commit) with the working one, instead of two bundles")
    diff.add_argument("--kb", type=Path, default=Path("knowledge"), metavar="PATH",
                      help="the knowledge base folder, with --base (default: knowledge/)")
    diff.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="the day both builds are for (default: today)")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                      help="markdown for a pull-request comment, json for tools")

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

    init = commands.add_parser("init", help="start a knowledge base of your own, in a content repository",
                               description="Write a new knowledge base into PATH (default knowledge/): "
                                           "_settings.yaml, _facts.yaml, _synonyms.yaml and one example answer, "
                                           "each saying what it is for; it checks clean as written. Beside it, in "
                                           "the folder that holds PATH (the content repository), a README for "
                                           "editors, a .pre-commit-config.yaml running `check` on changed answers, "
                                           "a GitHub Actions workflow (check, build, verify, keep the bundle) and a "
                                           ".gitignore; any of these already there is left as it is.")
    init.add_argument("path", nargs="?", type=Path, default=Path("knowledge"), metavar="PATH")
    init.add_argument("--name", default="Our organisation", help="the organisation's name")

    imports = commands.add_parser(
        "import", help="bring an existing help center in: HTML pages, a Zendesk export, or CSV / JSON lines",
        description="Convert a help center's articles into answer files under --kb (HTML to CommonMark), then "
                    "check them and report what needs an editor: no short answer, over budget, markup left out, "
                    "and repeated phone numbers, amounts and addresses proposed as shared facts. Importing again "
                    "rewrites only the files nobody edited since the last import.")
    common(imports, kb_help="the knowledge base to import into (default: knowledge/; made if missing)")
    imports.add_argument("source", type=Path, metavar="SOURCE",
                         help="a folder of HTML pages, a page, a Zendesk articles .json, a .csv or a .jsonl")
    imports.add_argument("--kind", choices=("html", "zendesk", "csv", "jsonl"),
                         help="what SOURCE is (default: from its extension; a folder is HTML pages)")
    imports.add_argument("--selector", default="article, main, [role=main], body", metavar="CSS",
                         help="for HTML pages: the CSS selector of the article's body (default: %(default)s)")
    imports.add_argument("--base-url", metavar="URL", help="the address the pages were published at, for their "
                                                          "relative links (and the new knowledge base's base_url)")
    imports.add_argument("--owner", default="content-team", help="the team written as each answer's owner")
    imports.add_argument("--reviewed", type=_date, metavar="YYYY-MM-DD",
                         help="`reviewed` for articles whose source gives no date (default: today)")
    imports.add_argument("--name", default="Our organisation", help="the organisation's name, for a new _settings.yaml")
    imports.add_argument("--no-check", action="store_true", help="write the files only; do not check them")
    imports.add_argument("--format", choices=("text", "json"), default="text", help="the report's format")

    new = commands.add_parser("new", help="scaffold a new answer file with every field explained",
                              description="Write knowledge/TOPIC/SLUG.md from a template that explains every field.")
    common(new)
    new.add_argument("target", metavar="TOPIC/SLUG", help="e.g. billing/pay-by-phone")
    service_cli.add_parsers(commands, common)  # notices, status, feedback (engine/service_cli.py)
    return parser


def cmd_check(args: argparse.Namespace) -> int:
    from engine.check import run
    from engine.diagnostics import render

    groups = _check_groups(args)
    if groups is None:
        return EXIT_USAGE
    as_of = args.as_of or _today()
    failed = False
    for kb, files in groups.items():
        checked = run(kb, as_of, files=files, render=not args.no_render, jobs=args.jobs, progress=not args.quiet,
                      cache=None if args.no_cache else args.cache)
        items = checked.shown
        sys.stdout.write(render([d for d in items if d.severity.value == "error"] if args.quiet else items,
                                args.format))
        if args.format != "json" and not args.quiet:
            print(_check_summary(checked, kb, files), file=sys.stderr)
        failed |= any(d.severity.value == "error" for d in items) or (args.strict and bool(items))
    return EXIT_CONTENT if failed else EXIT_OK


def _check_summary(checked: Checked, kb: Path, files: list[Path]) -> str:
    from engine.diagnostics import summary

    line = summary(checked.shown, len(checked.kb.answers))
    if checked.scope == "files" and checked.answers < len(checked.kb.answers):
        related = checked.answers - len(files)
        counts = line.split(": ", 1)[1]
        line = (f"{len(files)} file{'s' * (len(files) != 1)} checked"
                + (f" with {related} answer{'s' * (related != 1)} relating to them" if related > 0 else "")
                + f" ({len(checked.kb.answers)} answers loaded): {counts}")
        if checked.elsewhere:
            others = len(checked.elsewhere)
            line += (f"; {others} other finding{'s' * (others != 1)} in {os.path.relpath(kb)} not shown (run check "
                     f"without files to see them)")
    unchecked = len(checked.kb.failed)
    if unchecked:
        line += (f"; {unchecked} answer file{'s' * (unchecked != 1)} could not be checked (they failed to load: "
                 f"see their errors)")
    return line


def _check_groups(args: argparse.Namespace) -> dict[Path, list[Path]] | None:
    """The knowledge bases to check, each with the files named in it (none: report on all of it); None after
    printing a usage error. A file names its knowledge base (the nearest folder above it holding
    `_settings.yaml` or `_facts.yaml`) unless --kb is given; a file outside every knowledge base is skipped."""
    from engine.check import knowledge_base_of

    if not args.files:
        kb = args.kb or Path("knowledge")
        if not kb.is_dir():
            print(f"build.py check: error: --kb {kb} is not a folder", file=sys.stderr)
            return None
        return {kb: []}
    if args.kb is not None and not args.kb.is_dir():
        print(f"build.py check: error: --kb {args.kb} is not a folder", file=sys.stderr)
        return None
    groups: dict[Path, list[Path]] = {}
    for path in args.files:
        if not path.is_file():
            print(f"build.py check: error: {path} is not a file", file=sys.stderr)
            return None
        if args.kb is not None:
            kb = args.kb if _inside(path, args.kb) else None
        else:
            kb = knowledge_base_of(path)
        if kb is None:
            if not args.quiet:
                print(f"{path}: not checked: it is in no knowledge base "
                      f"({f'not under --kb {args.kb}' if args.kb else 'no _settings.yaml or _facts.yaml above it'})",
                      file=sys.stderr)
            continue
        groups.setdefault(kb, []).append(path)
    return groups


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


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


def _build_args(args: argparse.Namespace, *extra: str) -> argparse.Namespace:
    """`build`'s own arguments for the bundle `args` names, every default taken from the build parser itself."""
    from engine.releases import is_release_layout

    given = ["build", f"--kb={args.kb}", f"--out={args.out}", *(["--release"] if is_release_layout(args.out) else []),
             *(["--quiet"] if args.quiet else []), *extra]
    return _parser().parse_args(given)


def cmd_serve(args: argparse.Namespace) -> int:
    from engine.preview import Preview
    from engine.releases import bundle_folder

    if args.watch:
        return _serve_watching(args)
    if args.build or not (bundle_folder(args.out) / "manifest.json").is_file():
        status = cmd_build(_build_args(args))
        if status != EXIT_OK:
            return status
    server = _listen(args, Preview(args.kb, bundle_folder(args.out), watching=False))
    if server is None:
        return EXIT_USAGE
    _announce(server, "Serving until Ctrl-C.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def _listen(args: argparse.Namespace, preview: Preview) -> PreviewServer | None:
    from engine.releases import bundle_folder
    from engine.serve import make_server

    try:
        return make_server(bundle_folder(args.out), args.bind, args.port, preview)
    except OSError as error:
        print(f"build.py serve: error: cannot listen on {args.bind}:{args.port}: {error.strerror}", file=sys.stderr)
        return None


def _announce(server: PreviewServer, last: str) -> None:
    from engine.serve import urls

    for label, url in urls(server):
        print(f"{label}: {url}")
    print(last, flush=True)


def _serve_watching(args: argparse.Namespace) -> int:
    """Build, serve, and build again on every save; a failed build keeps the last good bundle served and its
    diagnostics shown in the pages (engine/preview.py)."""
    import threading

    from engine.preview import Preview
    from engine.releases import bundle_folder
    from engine.watch import watch

    if not args.kb.is_dir():
        print(f"build.py serve: error: --kb {args.kb} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    preview = Preview(args.kb, bundle_folder(args.out), watching=True)
    server = _listen(args, preview)
    if server is None:
        return EXIT_USAGE
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)

    def start() -> None:  # once the watcher is on, so no save made from the first build on is missed
        _rebuild(args, preview, [])
        serving.start()
        _announce(server, "Serving and watching until Ctrl-C.")

    try:
        watch(args.kb, lambda paths: _rebuild(args, preview, paths), ready=start)
    except KeyboardInterrupt:
        pass
    finally:
        if serving.is_alive():  # shutdown waits for a serve loop that never started
            server.shutdown()
        server.server_close()
    return EXIT_OK


def _rebuild(args: argparse.Namespace, preview: Preview, changed: list[str]) -> None:
    """One build through `build`'s own command (its cache, lock and checks), its output captured for the
    preview and summed up on the terminal."""
    import contextlib
    import io

    from engine.diagnostics import Diagnostic, Severity

    printed, said = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(said):
            status = cmd_build(_build_args(argparse.Namespace(kb=args.kb, out=args.out, quiet=False), "--format=json"))
    except Exception as error:  # an engine bug must not end the editor's session; it shows in the page
        status, said = EXIT_CONTENT, io.StringIO(f"the build stopped: {type(error).__name__}: {error}")
    try:
        found = json.loads(printed.getvalue() or "[]")
        diagnostics = tuple(Diagnostic(d["path"], d["line"], d["col"], Severity(d["severity"]), d["code"], d["message"],
                                       d.get("hint")) for d in found)
    except (ValueError, KeyError, TypeError):
        diagnostics = ()
    note = said.getvalue().strip()
    preview.record(status == EXIT_OK, diagnostics, note)
    if changed:
        print(f"changed: {', '.join(os.path.relpath(p) for p in changed[:3])}{' …' if len(changed) > 3 else ''}",
              file=sys.stderr)
    for item in diagnostics:
        if not args.quiet or item.severity is Severity.ERROR:
            print(item.text(), file=sys.stderr)
    if note and (status != EXIT_OK or not args.quiet):
        print(note if status == EXIT_OK else f"{note}\n(serving the last good bundle)", file=sys.stderr, flush=True)


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
    if args.card:
        from engine.inspect import card_text
        from engine.releases import bundle_folder
        from engine.report_card_page import CHANNEL, FOLDER

        card = bundle_folder(args.out) / CHANNEL / FOLDER / "card.json"
        if not card.is_file():
            print(f"build.py report: error: {args.out} has no report card (build it with the reference channel)",
                  file=sys.stderr)
            return EXIT_USAGE
        text = card.read_text(encoding="utf-8")
        sys.stdout.write(text if args.format == "json" else card_text(json.loads(text)))
        print(f"the card as a page: {card.parent / 'index.html'}", file=sys.stderr)
        return EXIT_OK
    sys.stdout.write(report(manifest))
    sys.stdout.write(service_cli.report_feedback(args.kb, manifest))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from engine.inspect import FactChange, diff, diff_markdown, diff_text

    facts: list[FactChange] | None = None
    if args.base is not None:
        from engine.base_diff import BaseError, diff_base

        if args.old is not None:
            print("build.py diff: error: give --base REF or two bundles, not both", file=sys.stderr)
            return EXIT_USAGE
        try:
            compared = diff_base(args.kb, args.base, args.as_of or _today())
        except BaseError as error:
            print(f"build.py diff: error: --base {args.base}: {error}", file=sys.stderr)
            return EXIT_USAGE
        changes, facts = compared.channels, compared.facts
        for name, count in compared.errors.items():
            if count:
                print(f"build.py diff: note: the {name} knowledge base has {count} error(s); its failing answers "
                      "are left out of the comparison", file=sys.stderr)
    else:
        if args.old is None:
            print("build.py diff: error: give the previous bundle, or --base REF", file=sys.stderr)
            return EXIT_USAGE
        old, new = _manifest(args.old, "diff"), _manifest(args.new, "diff")
        if old is None or new is None:
            return EXIT_USAGE
        changes = diff(old, new)
    if args.format == "json":
        print(json.dumps({"channels": {channel: asdict(change) for channel, change in changes.items()},
                          "facts": None if facts is None else [asdict(fact) for fact in facts]}, indent=2))
    elif args.format == "markdown":
        sys.stdout.write(diff_markdown(changes, facts))
    else:
        sys.stdout.write(diff_text(changes, facts))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import channels
    from engine.schema import schemas as every_schema

    schemas = every_schema(channels.names())
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
    from engine.scaffold import knowledge_base, repository

    target: Path = args.path
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"build.py init: error: {target} exists and is not an empty folder; init writes a new knowledge base",
              file=sys.stderr)
        return EXIT_USAGE
    root = target.absolute().parent
    version = _version() if _version()[:1].isdigit() else None
    written: list[Path] = []
    try:
        for relative, text in knowledge_base(args.name, _today()).items():
            written.append(_write_new(target / relative, text))
        for relative, text in repository(args.name, target.absolute().name, version).items():
            path = root / relative
            if path.exists():
                print(f"{_shown_path(path)}: kept as it is (init writes only files that are not there yet)",
                      file=sys.stderr)
                continue
            written.append(_write_new(path, text))
    except OSError as error:
        print(f"build.py init: error: cannot write {error.filename or target}: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(_shown_path(path))
    print(f"next: set base_url in {target / '_settings.yaml'}, then `check --kb {target}`; {_shown_path(root / 'README.md')} "
          f"says how editors work here", file=sys.stderr)
    return EXIT_OK


def _write_new(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _shown_path(path: Path) -> str:
    return os.path.relpath(path) if path.is_absolute() else str(path)


def cmd_import(args: argparse.Namespace) -> int:
    from engine import importer
    from engine.import_sources import detect

    if not args.source.exists():
        print(f"build.py import: error: {args.source} does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:
        kind = args.kind or detect(args.source)
    except ValueError as error:
        print(f"build.py import: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    kb = args.kb or Path("knowledge")
    if kb.exists() and not kb.is_dir():
        print(f"build.py import: error: --kb {kb} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    result = importer.run(args.source, kind, kb, selector=args.selector, owner=args.owner,
                          reviewed=args.reviewed or _today(), base_url=args.base_url, organisation=args.name,
                          check=not args.no_check, as_of=_today())
    sys.stdout.write(importer.as_json(result) if args.format == "json" else importer.text(result, kb))
    return EXIT_CONTENT if result.source_problems else EXIT_OK


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
            "new": cmd_new, "import": cmd_import, **service_cli.COMMANDS}


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


"""The no-op stamp: right after a build, `build` answers from stats alone, printing exactly what the slow no-op
prints; any change to an input, the code, the options or the published bundle sends it down the ordinary path;
a racy file (too young for its stats to be trusted) is content-checked."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest

import build as cli
import channels as channel_registry
import engine.publish
from engine import stamp

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = "2026-11-23"


class Project:
    """A copy of the small knowledge base, built through the CLI; `slow` counts builds that took the ordinary path."""

    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.kb = root / "knowledge"
        shutil.copytree(SMALL, self.kb)
        self.out = root / "dist"
        self.capsys = capsys
        self.slow = 0
        real = engine.publish.build

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.slow += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(engine.publish, "build", counted)

    def args(self, *extra: str) -> list[str]:
        return ["build", "--kb", str(self.kb), "--out", str(self.out), "--as-of", AS_OF, "--jobs", "1", *extra]

    def build(self, *extra: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = cli.main(self.args(*extra))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def fast(self, *extra: str) -> bool:
        """Build again: was it answered from the stamp (and said so, successfully)?"""
        before = self.slow
        code, _, err = self.build(*extra)
        return self.slow == before and code == 0 and err == f"{self.out} is up to date\n"

    @property
    def cache(self) -> Path:
        return stamp.default_folder(self.out)


def _stats_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No file counts as racy (however fresh), so the stat signature alone must see each change."""
    monkeypatch.setattr(stamp, "RACY_NS", -10**18)


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Project:
    _stats_only(monkeypatch)
    made = Project(tmp_path, capsys, monkeypatch)
    code, _, err = made.build()
    assert code == 0 and "published" in err, err
    return made


def test_a_rebuild_with_nothing_changed_is_answered_from_the_stamp(project: Project) -> None:
    assert project.slow == 1
    assert project.fast()
    assert project.fast("--explain", "--jobs", "2")  # options that change nothing published


def test_the_fast_path_imports_nothing_heavy(project: Project) -> None:
    probe = ("import sys, build; code = build.main(sys.argv[1:]); "
             "print(code, sorted(m for m in ('pydantic', 'jinja2', 'markdown_it', 'ruamel', 'channels', "
             "'engine.publish', 'engine.bundle', 'engine.diagnostics', 'renderers') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe, *project.args()], capture_output=True, text=True,
                          cwd=os.getcwd(), timeout=60)
    assert done.stdout.splitlines()[-1] == "0 []", done.stderr
    assert done.stderr == f"{project.out} is up to date\n"


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_the_fast_path_prints_what_the_slow_no_op_prints(project: Project, fmt: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    fast = project.build("--format", fmt)
    assert project.slow == 1
    assert "literal-fact" in fast[1] and "unspeakable" in fast[1]  # warnings are part of what is printed
    monkeypatch.setattr(stamp, "unchanged", lambda *args, **kwargs: None)
    slow = project.build("--format", fmt)
    assert project.slow == 2
    assert fast == slow


def _edit_keeping_size_and_mtime(path: Path, old: bytes = b"a", new: bytes = b"e") -> None:
    before = path.stat()
    data = path.read_bytes()
    changed = data.replace(old, new, 1)
    assert changed != data and len(changed) == len(data)
    path.write_bytes(changed)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


CHANGES: dict[str, Callable[[Project], None]] = {
    "edit keeping size and mtime": lambda p: _edit_keeping_size_and_mtime(p.kb / "billing" / "waive-fee.md"),
    "edit the facts": lambda p: _edit_keeping_size_and_mtime(p.kb / "_facts.yaml", b"Outage line", b"Outage Line"),
    "new file": lambda p: shutil.copy(p.kb / "outages" / "new-rates.md", p.kb / "outages" / "rates-copy.md"),
    "removed file": lambda p: (p.kb / "outages" / "new-rates.md").unlink(),
    "renamed file": lambda p: (p.kb / "outages" / "new-rates.md").rename(p.kb / "outages" / "rate-rise.md"),
    "new folder with a file": lambda p: shutil.copytree(p.kb / "outages", p.kb / "storms"),
    "manifest tampered": lambda p: (p.out / "manifest.json").write_bytes(
        (p.out / "manifest.json").read_bytes().replace(b"\n", b" \n", 1)),
    "damaged stamp": lambda p: (p.cache / "stamp.json").write_bytes(b"{\"options\": [}"),
    "stamp of another shape": lambda p: (p.cache / "stamp.json").write_text('{"options": {}}'),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_takes_the_ordinary_path(project: Project, change: str) -> None:
    assert project.fast()
    CHANGES[change](project)
    assert not project.fast()
    assert project.fast()  # the ordinary build stamped what it found


@pytest.mark.parametrize("extra", [("--as-of", "2026-11-24"), ("--channels", "web,sms"), ("--cache", "elsewhere")])
def test_other_options_take_the_ordinary_path(project: Project, extra: tuple[str, ...], tmp_path: Path) -> None:
    extra = tuple(str(tmp_path / e) if e == "elsewhere" else e for e in extra)
    assert not project.fast(*extra)
    assert project.fast(*extra)


def test_back_to_all_channels_after_building_fewer_takes_the_ordinary_path(project: Project) -> None:
    assert not project.fast("--channels", "web,sms")
    assert not project.fast()  # the stamp names the fewer channels, and the manifest is theirs
    assert project.fast()


def test_another_working_directory_takes_the_ordinary_path(project: Project, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # paths in diagnostics are shown relative to it
    assert not project.fast()


def test_a_release_build_into_a_plain_bundle_is_still_refused(project: Project) -> None:
    code, _, err = project.build("--release")
    assert code == 2 and "holds a plain bundle" in err


def test_a_hidden_file_or_a_python_file_in_the_knowledge_base_is_not_an_input(project: Project) -> None:
    (project.kb / "billing" / ".waive-fee.md.swp").write_bytes(b"editor state")
    (project.kb / "billing" / "notes.py").write_text("# not read by the build\n")
    assert project.fast()


def test_a_channel_template_change_takes_the_ordinary_path(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "channels"
    shutil.copytree(channel_registry.HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(channel_registry, "HERE", copy)
    monkeypatch.setattr(stamp, "CHANNELS", copy)
    _stats_only(monkeypatch)
    project = Project(tmp_path / "site", capsys, monkeypatch)
    assert project.build()[0] == 0 and project.fast()
    template = sorted(p for p in (copy / "templates").rglob("*") if p.is_file())[0]
    template.write_bytes(template.read_bytes() + b"\n")
    assert not project.fast()
    (copy / "sms.yaml").write_bytes((copy / "sms.yaml").read_bytes() + b"\n")
    assert not project.fast()


def test_a_code_change_takes_the_ordinary_path(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    code = tmp_path / "code"
    for package in ("engine", "renderers", "channels"):
        shutil.copytree(ROOT / package, code / package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(stamp, "CODE_ROOT", code)
    _stats_only(monkeypatch)
    project = Project(tmp_path / "site", capsys, monkeypatch)
    assert project.build()[0] == 0 and project.fast()
    module = code / "renderers" / "sms.py"
    _edit_keeping_size_and_mtime(module)
    assert not project.fast()
    assert project.fast()
    (code / "engine" / "extra.py").write_text('"""A new module."""\n')
    assert not project.fast()


def test_a_failed_build_after_a_good_one_leaves_no_stamp(project: Project) -> None:
    answer = project.kb / "billing" / "waive-fee.md"
    good = answer.read_bytes()
    answer.write_bytes(good.replace(b"question:", b"questoin:", 1))
    assert project.build()[0] == 1
    assert stamp.load(project.cache) is None
    assert project.build()[0] == 1  # still failing, never "up to date"
    answer.write_bytes(good)
    assert not project.fast() and project.fast()


def test_a_build_without_the_cache_is_caught_by_the_manifest(project: Project) -> None:
    """--no-cache neither reads nor writes the stamp; what it publishes changes the manifest the stamp names."""
    code, _, err = project.build("--no-cache", "--channels", "web")
    assert code == 0 and "published" in err
    assert not project.fast()
    assert "sms/" in (project.out / "manifest.json").read_text()


def test_a_rollback_of_current_takes_the_ordinary_path(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project(tmp_path, capsys, monkeypatch)
    assert project.build("--release")[0] == 0
    answer = project.kb / "billing" / "waive-fee.md"
    answer.write_text(answer.read_text(encoding="utf-8") + "\nAsk us any time.\n", encoding="utf-8")
    assert project.build("--release")[0] == 0 and project.fast("--release")
    assert cli.main(["rollback", "--out", str(project.out)]) == 0
    assert not project.fast("--release")  # current is the older release: the inputs are not what it was built from
    assert project.fast("--release")
    assert len(list((project.out / "releases").iterdir())) == 3


# ------------------------------------------------------------------------------------------------ racy files


def _coarse_clock(monkeypatch: pytest.MonkeyPatch, age_ns: int) -> None:
    """A file system whose timestamps are stuck `age_ns` before the first look at them: an edit that keeps the
    size keeps every stat, as one within the same timestamp tick does."""
    real = stamp._lstat
    frozen: list[int] = []

    def lstat(path: str) -> SimpleNamespace:
        st = real(path)
        frozen[:] = frozen or [time.time_ns() - age_ns]
        return SimpleNamespace(st_mode=st.st_mode, st_size=st.st_size, st_ino=st.st_ino,
                               st_mtime_ns=frozen[0], st_ctime_ns=frozen[0])

    monkeypatch.setattr(stamp, "_lstat", lstat)


def _stamped(tmp_path: Path, before_stamp: Callable[[Path], None] | None = None,
             ) -> tuple[Path, Path, dict[str, str]]:
    """Snapshot and read a copy of the small knowledge base, run `before_stamp` on it (the rest of a build),
    then make and save the stamp."""
    kb = tmp_path / "knowledge"
    shutil.copytree(SMALL, kb)
    out = tmp_path / "dist"
    out.mkdir()
    (out / "manifest.json").write_text("{}\n")
    opts = {"any": "options"}
    snap = stamp.snapshot(kb)
    read = {name: Path(path).read_bytes() for name, path, _ in stamp.input_files(kb, stamp.CHANNELS)}
    if before_stamp is not None:
        before_stamp(kb)
    sha = hashlib.sha256(b"{}\n").hexdigest()
    stamp.save(tmp_path / "cache", stamp.make(snap, read, opts, out, ["manifest.json"], "manifest.json", sha,
                                              {"web": 5}, dict.fromkeys(stamp.PRINT_FORMATS, "")))
    return kb, out, opts


def test_a_racy_file_is_content_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _coarse_clock(monkeypatch, 0)  # every file's timestamps are "now": all racy
    kb, out, opts = _stamped(tmp_path)
    assert "knowledge/billing/waive-fee.md" in stamp.load(tmp_path / "cache").racy  # type: ignore[union-attr]
    assert stamp.unchanged(tmp_path / "cache", kb, out, opts) is not None
    _edit_keeping_size_and_mtime(kb / "billing" / "waive-fee.md")  # invisible to this file system's stats
    assert stamp.unchanged(tmp_path / "cache", kb, out, opts) is None


def test_the_racy_rule_is_what_catches_an_edit_the_stats_cannot_see(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The same invisible edit on a file older than the racy window is trusted on its stats, as in git: only a
    file that may still change within its timestamp tick needs its content checked."""
    _coarse_clock(monkeypatch, 10 * stamp.RACY_NS)
    kb, out, opts = _stamped(tmp_path)
    assert stamp.load(tmp_path / "cache").racy == {}  # type: ignore[union-attr]
    _edit_keeping_size_and_mtime(kb / "billing" / "waive-fee.md")
    assert stamp.unchanged(tmp_path / "cache", kb, out, opts) is not None


def _stamp_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[Path], None] | None = None,
                 ) -> tuple[Path, Path, dict[str, str]]:
    """Snapshot and read while every file is racy, maybe `edit` one unseen, then make the stamp once the racy
    window has passed (a build that ran longer than it)."""
    _coarse_clock(monkeypatch, 0)

    def rest_of_the_build(kb: Path) -> None:
        if edit is not None:
            edit(kb)
        later = time.time_ns() + 2 * stamp.RACY_NS
        monkeypatch.setattr(stamp, "_now_ns", lambda: later)

    return _stamped(tmp_path, rest_of_the_build)


def test_a_racy_file_that_outlived_the_window_unchanged_is_trusted_on_its_stats(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As git refreshes racily clean entries: files written just before a long build are not content-checked
    by every no-op after it, once the stats and the bytes are seen unchanged after the window."""
    kb, out, opts = _stamp_later(tmp_path, monkeypatch)
    racy = stamp.load(tmp_path / "cache").racy  # type: ignore[union-attr]
    assert not any(name.startswith("knowledge/") for name in racy), racy
    assert stamp.unchanged(tmp_path / "cache", kb, out, opts) is not None
    (kb / "billing" / "waive-fee.md").write_bytes(b"changed")  # an ordinary edit: the stats see it
    assert stamp.unchanged(tmp_path / "cache", kb, out, opts) is None


def test_a_racy_file_edited_unseen_before_the_stamp_stays_racy_and_is_caught(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb, out, opts = _stamp_later(tmp_path, monkeypatch,
                                 lambda kb: _edit_keeping_size_and_mtime(kb / "billing" / "waive-fee.md"))
    racy = stamp.load(tmp_path / "cache").racy  # type: ignore[union-attr]
    assert list(name for name in racy if name.startswith("knowledge/")) == ["knowledge/billing/waive-fee.md"]
    assert stamp.unchanged(tmp_path / "cache", kb, out, opts) is None


def test_files_written_just_before_a_build_are_racy_and_still_answered_from_the_stamp(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stamp, "RACY_NS", 3600 * 10**9)  # "just before", however slow this machine is today
    project = Project(tmp_path, capsys, monkeypatch)
    assert project.build()[0] == 0
    racy = stamp.load(project.cache).racy  # type: ignore[union-attr]
    sources = {f"knowledge/{p.relative_to(project.kb).as_posix()}": p for p in project.kb.rglob("*") if p.is_file()}
    assert sources.keys() <= racy.keys()
    assert all(racy[name] == hashlib.sha256(path.read_bytes()).hexdigest() for name, path in sources.items())
    assert project.fast()
    _edit_keeping_size_and_mtime(project.kb / "billing" / "waive-fee.md")
    assert not project.fast()


def test_input_files_is_the_one_list_the_build_reads(project: Project) -> None:
    (project.kb / ".hidden").write_text("x")
    (project.kb / "__pycache__").mkdir()
    (project.kb / "__pycache__" / "x.md").write_text("x")
    names = [name for name, _, _ in stamp.input_files(project.kb, channel_registry.HERE)]
    assert names == list(engine.publish.read_inputs(project.kb, channel_registry.HERE))
    assert "knowledge/_facts.yaml" in names and "channels/web.yaml" in names
    assert not any("/." in name or "__pycache__" in name or name.endswith(".py") for name in names)


def test_a_huge_stamp_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "stamp.json"
    with open(path, "wb") as file:
        file.truncate(4 << 30)  # sparse: 4 GiB that cost no disk
    started = time.perf_counter()
    assert stamp.load(tmp_path) is None
    assert time.perf_counter() - started < 1.0  # a read of 4 GiB would take many seconds


def test_another_import_path_or_library_set_is_not_up_to_date(project: Project,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/opt/other-libraries")
    assert not project.fast()
    assert project.fast()
    site = project.root / "lib" / "site-packages"
    site.mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    assert not project.fast()
    assert project.fast()
    (site / "markdown_it_py-9.9.dist-info").mkdir()  # pip installing into it
    assert not project.fast()

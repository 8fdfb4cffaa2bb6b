"""`build.py serve`: builds when there is no bundle yet, prints its URLs, serves the bundle, stops on Ctrl-C;
answers only requests addressed to it, serves only files inside the bundle, and survives hostile clients."""
from __future__ import annotations

import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.serve import HostNames, PreviewServer, make_server, urls
from tests.kb import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small_kb"


def _lines_until(process: subprocess.Popen[str], last: str, seconds: float = 90) -> list[str]:
    """stdout lines up to the one starting with `last` (read by a thread, so a silent server cannot hang us)."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in stdout], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            continue
        if seen[-1].startswith(last):
            return seen
    raise AssertionError(f"serve did not start: {seen}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_serve_builds_then_serves_both_sites_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1795392000"}  # 2026-11-23
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--kb", str(SMALL), "--out", str(out),
                                "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        lines = _lines_until(process, "Serving until")
        urls = dict(line.split(": ", 1) for line in lines if line.startswith(("Reference site: ", "Web pages: ")))
        assert set(urls) == {"Reference site", "Web pages"}
        assert all(url.startswith("http://127.0.0.1:") for url in urls.values())  # this machine only
        assert (out / "manifest.json").is_file()  # there was no bundle: it built one first
        with urllib.request.urlopen(urls["Reference site"] + "billing/pay-by-phone/") as response:
            page = response.read()
            assert response.status == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert page == (out / "reference" / "billing" / "pay-by-phone" / "index.html").read_bytes()
        with urllib.request.urlopen(urls["Web pages"]) as response:
            assert response.read() == (out / "web" / "index.html").read_bytes()
        root = urls["Web pages"].removesuffix("web/")
        try:
            urllib.request.build_opener(_NoRedirect).open(root)
            raise AssertionError("/ should redirect")
        except urllib.error.HTTPError as redirect:
            assert redirect.code == 302 and redirect.headers["Location"] == "/reference/"
        try:
            urllib.request.urlopen(root + "reference/no/such/page/")
            raise AssertionError("a missing page should be a 404")
        except urllib.error.HTTPError as missing:
            assert missing.code == 404
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    assert code == 0


def test_serve_refuses_a_bad_port_before_building(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--kb", str(SMALL), "--out",
                             str(tmp_path / "dist"), "--port", "70000"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2 and "not a port number" in result.stderr
    assert not (tmp_path / "dist").exists()


# --- preview only: the server answers its own names, serves files, and survives hostile clients ---

SECRET = "internal note: waive the fee"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small bundle reached through a `current` symlink, with a folder lacking index.html and planted links out."""
    tmp_path = tmp_path_factory.mktemp("serve")
    root = tmp_path / "releases" / "r1"
    (root / "reference" / "notes").mkdir(parents=True)
    (root / "reference" / "index.html").write_text("<p>reference</p>")
    (root / "reference" / "notes" / "internal.html").write_text(SECRET)
    (root / "web").mkdir()
    (root / "web" / "index.html").write_text("<p>web</p>")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    (outside / "index.html").write_text(SECRET)
    (root / "passwd.txt").symlink_to("/etc/passwd")
    (root / "secret.txt").symlink_to(outside / "secret.txt")
    (root / "reference" / "escape").symlink_to(outside)
    (root / "web" / "inside.html").symlink_to(root / "web" / "index.html")
    (tmp_path / "current").symlink_to("releases/r1")
    return tmp_path / "current"


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[PreviewServer]:
    running = make_server(folder, port=0)
    running.head_seconds = 0.5
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        running.shutdown()
        running.server_close()


def _exchange(server: PreviewServer, data: bytes) -> bytes:
    """Everything the server sends back for `data`, read until it closes the connection."""
    with socket.create_connection(server.server_address[:2], timeout=5) as connection:
        connection.sendall(data)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def _request(server: PreviewServer, target: bytes | str, host: bytes | str | None = None, method: str = "GET",
             headers: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one request written by hand (`host` defaults to 127.0.0.1:port)."""
    if host is None:
        host = f"127.0.0.1:{server.server_address[1]}"
    as_bytes = [part.encode("latin-1") if isinstance(part, str) else part for part in (method, target, host)]
    head = b"%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" % tuple(as_bytes)
    return _parsed(_exchange(server, head + headers + b"\r\n"))


def _parsed(response: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), fields, body


def test_serve_listens_on_this_machine_only_by_default(folder: Path) -> None:
    server = make_server(folder, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_serve_still_serves_pages_and_head_requests(server: PreviewServer) -> None:
    status, fields, body = _request(server, "/web/")
    assert (status, body) == (200, b"<p>web</p>") and fields["Content-Type"] == "text/html; charset=utf-8"
    status, fields, body = _request(server, "/web/index.html", method="HEAD")
    assert (status, fields["Content-Length"], body) == (200, "10", b"")
    assert _request(server, "/web/inside.html")[0] == 200  # a link that stays inside the bundle is fine
    status, fields, _ = _request(server, "/reference?q=fee")
    assert (status, fields["Location"]) == (301, "/reference/?q=fee")
    status, fields, _ = _request(server, "/")
    assert (status, fields["Location"]) == (302, "/reference/")


@pytest.mark.parametrize("host", ["localhost", "LocalHost", "127.0.0.1", "[::1]", "localhost:{port}",
                                  "127.0.0.1:{port}", "[::1]:{port}"])
def test_serve_answers_the_names_of_this_machine(server: PreviewServer, host: str) -> None:
    assert _request(server, "/web/", host.format(port=server.server_address[1]))[0] == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "localhost.evil.example:{port}",
                                  "127.0.0.1.nip.io:{port}", "localhost:1", "localhost:{port}0", "localhost:",
                                  "127.0.0.1:{port}@evil.example", "10.0.0.1:{port}", "", "[::1", "\xff\xfe"])
def test_serve_refuses_a_host_it_does_not_listen_as(server: PreviewServer, host: str) -> None:
    """A page whose own name was rebound to 127.0.0.1 must not read the internal notes through the browser."""
    status, _, body = _request(server, "/reference/notes/internal.html", host.format(port=server.server_address[1]))
    assert status == 421 and SECRET.encode() not in body and len(body) < 64


def test_serve_refuses_a_request_without_exactly_one_host(server: PreviewServer) -> None:
    port = server.server_address[1]
    no_host = b"GET /web/ HTTP/1.1\r\nConnection: close\r\n\r\n"
    two_hosts = b"GET /web/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nHost: evil.example\r\n\r\n" % port
    assert _parsed(_exchange(server, no_host))[0] == 400
    assert _parsed(_exchange(server, two_hosts))[0] == 400


@pytest.mark.parametrize(("bind", "address", "host", "accepted"), [
    ("192.168.1.5", "192.168.1.5", "192.168.1.5:8000", True),
    ("192.168.1.5", "192.168.1.5", "192.168.1.5", True),
    ("192.168.1.5", "192.168.1.5", "localhost:8000", False),
    ("192.168.1.5", "192.168.1.5", "127.0.0.1:8000", False),
    ("preview.lan", "192.168.1.5", "preview.lan:8000", True),
    ("preview.lan", "192.168.1.5", "evil.example:8000", False),
    ("fd00::5", "fd00::5", "[fd00::5]:8000", True),
    ("fd00::5", "fd00::5", "[fd00::6]:8000", False),
    ("0.0.0.0", "0.0.0.0", "192.168.1.5:8000", True),
    ("0.0.0.0", "0.0.0.0", "localhost:8000", True),
    ("0.0.0.0", "0.0.0.0", "evil.example:8000", False),
    ("::", "::", "[fd00::5]:8000", True),
    ("", "0.0.0.0", "", False),
    ("localhost", "127.0.0.1", "[::1]:8000", True),
])
def test_an_explicit_bind_address_is_the_host_to_use(bind: str, address: str, host: str, accepted: bool) -> None:
    assert HostNames.listening(bind, address, 8000).accept(host) is accepted


def test_serve_listens_on_ipv6_loopback_as_asked(folder: Path) -> None:
    try:
        server = make_server(folder, "::1", 0)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        port = server.server_address[1]
        assert urls(server)[0] == ("Reference site", f"http://[::1]:{port}/reference/")
        with socket.create_connection(("::1", port), timeout=5) as connection:
            connection.sendall(b"GET /web/ HTTP/1.1\r\nHost: [::1]:%d\r\n\r\n" % port)
            assert connection.recv(12) == b"HTTP/1.0 200"
    finally:
        server.shutdown()
        server.server_close()


def test_a_folder_without_index_html_is_404_never_a_listing(server: PreviewServer) -> None:
    for target in ("/reference/notes/", "/reference/notes", "/releases/", "/reference/notes/?C=M;O=A"):
        status, _, body = _request(server, target)
        assert status == 404 and b"internal.html" not in body, target


@pytest.mark.parametrize("target", ["/passwd.txt", "/secret.txt", "/reference/escape/secret.txt", "/reference/escape/",
                                    "/reference/escape", "/reference/%65scape/secret.txt", "/../outside/secret.txt",
                                    "/reference/../../outside/secret.txt", "/%2e%2e/outside/secret.txt"])
def test_serve_never_follows_a_link_out_of_the_bundle(server: PreviewServer, target: str) -> None:
    status, _, body = _request(server, target)
    assert status == 404 and SECRET.encode() not in body and b"root:" not in body


def test_a_silent_client_is_dropped_after_a_few_seconds(server: PreviewServer) -> None:
    started = time.monotonic()
    with socket.create_connection(server.server_address[:2], timeout=5) as connection:
        assert connection.recv(1) == b""
    assert time.monotonic() - started < 2


def test_a_client_that_sends_its_request_slowly_is_dropped_too(server: PreviewServer) -> None:
    """One byte every 0.1 s keeps a per-read timeout happy forever; the whole request head has a deadline."""
    started = time.monotonic()
    closed = False
    with socket.create_connection(server.server_address[:2], timeout=5) as connection:
        for byte in b"GET /web/ HTTP/1.1\r\nX-Slow: " + b"a" * 40:
            try:
                connection.send(bytes([byte]))
            except OSError:
                closed = True
                break
            if select.select([connection], [], [], 0.1)[0]:
                closed = True
                break
    assert closed and time.monotonic() - started < 2


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_STARVED_SERVER = """
import os, resource, sys, threading, time
from pathlib import Path
from engine.serve import make_server
server = make_server(Path(sys.argv[1]), port=0)
threading.Thread(target=server.serve_forever, daemon=True).start()
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 2, hard))
print(server.server_address[1], flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
def test_serve_out_of_file_descriptors_waits_instead_of_spinning(folder: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", _STARVED_SERVER, str(folder)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    clients: list[socket.socket] = []
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        for _ in range(6):  # more than the two descriptors it has left: the rest wait in the backlog
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", port))
            clients.append(client)
        time.sleep(0.3)
        before = _cpu_seconds(child.pid)
        time.sleep(1)
        assert _cpu_seconds(child.pid) - before < 0.3
    finally:
        for client in clients:
            client.close()
        child.kill()
        _, errors = child.communicate(timeout=10)
    assert errors.count("out of file descriptors") == 1 and "Traceback" not in errors


MALFORMED = [
    (b"GET /reference/%00 HTTP/1.1", 400),
    (b"GET /web/index.html%00.txt HTTP/1.1", 400),
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1", 414),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1", 414),
    (b"GET /web/" + b"a" * 300 + b" HTTP/1.1", 404),
    (b"GET /web/%zz HTTP/1.1", 400),
    (b"GET /web/%4 HTTP/1.1", 400),
    (b"GET /web/% HTTP/1.1", 400),
    (b"GET /web/%ff%fe.html HTTP/1.1", 400),
    (b"GET /web/\xff\xfe.html HTTP/1.1", 400),
    (b"GET /web/\x01 HTTP/1.1", 400),
    (b"GET /web/a%2fb HTTP/1.1", 404),
    (b"GET web/index.html HTTP/1.1", 400),
    (b"GET http://evil.example/web/ HTTP/1.1", 400),
    (b"GARBAGE", 400),
    (b"GET /web/", 400),
    (b"GET /web/ HTTP/1.1 extra", 400),
    (b"GET /web/ FTP/1.1", 400),
    (b"GET /web/ HTTP/1.x", 400),
    (b"GET /web/ HTTP/9.9", 505),
    (b"POST /web/ HTTP/1.1", 405),
    (b"PUT /web/x.html HTTP/1.1", 405),
    (b"DELETE /web/index.html HTTP/1.1", 405),
    (b"OPTIONS * HTTP/1.1", 405),
    (b"TRACE / HTTP/1.1", 405),
    (b"get /web/ HTTP/1.1", 405),
    (b"\xff\xfe /web/ HTTP/1.1", 405),
]


@pytest.mark.parametrize(("line", "status"), MALFORMED)
def test_a_malformed_request_gets_a_clean_status(server: PreviewServer, line: bytes, status: int,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    head = line + b"\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % server.server_address[1]
    answer, fields, body = _parsed(_exchange(server, head))
    assert answer == status and len(body) < 64
    if status == 405:
        assert fields["Allow"] == "GET, HEAD"
    assert "Traceback" not in capsys.readouterr().err


def test_odd_headers_get_a_clean_status(server: PreviewServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert _request(server, "/web/", headers=b"X-Note: \xff\xfe\x00\r\n")[0] == 200
    assert _request(server, "/web/", headers=b"X-Long: " + b"a" * 70000 + b"\r\n")[0] == 431
    assert _request(server, "/web/", headers=b"X-Many: 1\r\n" * 150)[0] == 431
    assert "Traceback" not in capsys.readouterr().err

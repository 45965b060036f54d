"""fetch downloads a release from a local HTTP server, verifies its sha256, caches it, refuses a tampered file."""

from __future__ import annotations

import functools
import http.server
import importlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest
from test_release import make_root

import bigtech_events
from bigtech_events.errors import UserError
from bigtech_events.release import release

fetch_mod = importlib.import_module("bigtech_events.fetch")


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        super().do_GET()

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def released(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A release built in the test, a served copy of build/, and a served tampered copy."""
    base = tmp_path_factory.mktemp("fetch")
    root = make_root(built_package, base / "root")
    report = release(root, registry=base / "registry.txt", run_frictionless=False)
    tampered = base / "tampered"
    tampered.mkdir()
    data = bytearray(report.zip_path.read_bytes())
    data[-30] ^= 0xFF
    (tampered / report.zip_path.name).write_bytes(bytes(data))
    return {"zip": report.zip_path, "build": root / "build", "tampered": tampered,
            "registry": base / "registry.txt", "root": root, "version": report.version}


@pytest.fixture(scope="module")
def server(released: dict[str, Any]) -> Iterator[str]:
    """``http://127.0.0.1:<free port>`` serving ``root/build/`` and ``tampered/``; stopped after the module."""
    handler = functools.partial(_Handler, directory=str(released["build"].parent.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv(fetch_mod.BASE_URL_ENV, raising=False)
    monkeypatch.delenv(fetch_mod.CACHE_ENV, raising=False)


def _version(released: dict[str, Any]) -> str:
    return released["version"]


def test_fetch_downloads_verifies_and_caches(released, server, tmp_path: Path):
    version = _version(released)
    _Handler.requests.clear()
    path = bigtech_events.fetch(version, base_url=f"{server}/root/build", cache_dir=tmp_path,
                                registry=released["registry"])
    assert path == tmp_path / released["zip"].name
    assert path.read_bytes() == released["zip"].read_bytes()
    assert _Handler.requests == [f"/root/build/{released['zip'].name}"]
    again = bigtech_events.fetch(version, cache_dir=tmp_path, registry=released["registry"])
    assert again == path and len(_Handler.requests) == 1, "a verified cached file is not downloaded again"


def test_fetch_refuses_a_tampered_file_and_keeps_nothing(released, server, tmp_path: Path):
    with pytest.raises(UserError, match=r"sha256 is not the registered sha256:[0-9a-f]{64}; refused"):
        bigtech_events.fetch(_version(released), base_url=f"{server}/tampered", cache_dir=tmp_path,
                             registry=released["registry"])
    assert not any(tmp_path.iterdir())


def test_a_tampered_cached_file_is_replaced_by_a_verified_download(released, server, tmp_path: Path):
    name = released["zip"].name
    (tmp_path / name).write_bytes((released["tampered"] / name).read_bytes())
    path = bigtech_events.fetch(_version(released), base_url=f"{server}/root/build", cache_dir=tmp_path,
                                registry=released["registry"])
    assert path.read_bytes() == released["zip"].read_bytes()


def test_base_url_and_cache_come_from_the_environment(released, server, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(fetch_mod.BASE_URL_ENV, f"{server}/root/build/")
    monkeypatch.setenv(fetch_mod.CACHE_ENV, str(tmp_path / "env-cache"))
    path = bigtech_events.fetch(_version(released), registry=released["registry"])
    assert path.parent == tmp_path / "env-cache"


def test_load_with_a_version_fetches_the_release(released, server, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(fetch_mod, "REGISTRY", released["registry"])
    monkeypatch.setenv(fetch_mod.BASE_URL_ENV, f"{server}/root/build")
    monkeypatch.setenv(fetch_mod.CACHE_ENV, str(tmp_path))
    fetched = bigtech_events.load("articles", version=_version(released))
    pd.testing.assert_frame_equal(fetched, bigtech_events.load("articles", path=released["root"]))


def test_a_missing_file_on_the_server_is_a_one_line_error(released, server, tmp_path: Path):
    with pytest.raises(UserError, match=r"download failed \(404"):
        bigtech_events.fetch(_version(released), base_url=f"{server}/nowhere", cache_dir=tmp_path,
                             registry=released["registry"])


def test_unknown_version_and_missing_address_are_refused(released, tmp_path: Path):
    with pytest.raises(UserError, match=r"version 9.9.9 is not in the release registry \(released: "):
        bigtech_events.fetch("9.9.9", cache_dir=tmp_path, registry=released["registry"])
    with pytest.raises(UserError, match="no download address is set: pass base_url= or set BIGTECH_EVENTS_BASE_URL"):
        bigtech_events.fetch(_version(released), cache_dir=tmp_path, registry=released["registry"])
    with pytest.raises(UserError, match="is not MAJOR.MINOR.PATCH"):
        bigtech_events.fetch("latest", registry=released["registry"])


def test_shipped_registry_lines_are_well_formed():
    entries = fetch_mod.read_registry()
    assert all(name.startswith("china-bigtech-events-") and name.endswith(".zip") for name in entries)
    assert all(fetch_mod.SEMVER.match(v) for v in fetch_mod.registered_versions())


def test_malformed_registry_line_is_located(tmp_path: Path):
    (tmp_path / "registry.txt").write_text("# header\nchina-bigtech-events-0.1.0.zip md5:abc\n")
    with pytest.raises(UserError, match=r"registry.txt:2: expected '<file> sha256:<64 hex digits>'"):
        fetch_mod.read_registry(tmp_path / "registry.txt")

"""The install-time fetcher takes only what the lock pins: a tarball from a registry (here a
local HTTP server, no internet) is refused unless its sha512 is the lock's, and no file lands
outside the package's folder."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.web.assets import AssetError, check, fetch, load_lock


def _tgz(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(f"package/{name}")
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return out.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A registry of files under tmp_path/registry, served on a free port."""
    root = tmp_path / "registry"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


def _publish(root: Path, data: bytes, name: str = "demo-chart", version: str = "1.0.0") -> None:
    folder = root / name / "-"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}-{version}.tgz").write_bytes(data)


def _lock(tmp_path: Path, integrity: str, files: dict[str, str]) -> Path:
    path = tmp_path / "assets.lock.json"
    entry = {
        "name": "demo-chart",
        "version": "1.0.0",
        "tarball": "https://registry.npmjs.org/demo-chart/-/demo-chart-1.0.0.tgz",
        "integrity": integrity,
        "files": files,
    }
    path.write_text(json.dumps({"packages": [entry]}), "utf-8")
    return path


def test_a_pinned_tarball_is_fetched_once_and_only_its_listed_files_are_taken(
    registry: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = registry
    good = _tgz({"dist/chart.min.js": b"chart();", "src/index.js": b"unused"})
    _publish(root, good)
    packages = load_lock(_lock(tmp_path, _integrity(good), {"dist/chart.min.js": "chart.js"}))
    vendor, cache = tmp_path / "vendor", tmp_path / "cache"

    assert check(packages, vendor) == ["demo-chart@1.0.0: not fetched"]
    assert len(fetch(packages, vendor, cache, registry=url)) == 1
    assert (vendor / "demo-chart" / "chart.js").read_bytes() == b"chart();"
    assert not (vendor / "demo-chart" / "src").exists()
    assert check(packages, vendor) == []

    # Again, with the registry gone: nothing to do, nothing downloaded.
    (root / "demo-chart" / "-" / "demo-chart-1.0.0.tgz").unlink()
    assert fetch(packages, vendor, cache, registry=url) == []

    # A changed file is noticed by check and restored from the checked, cached tarball.
    (vendor / "demo-chart" / "chart.js").write_bytes(b"evil();")
    assert check(packages, vendor) == [
        "demo-chart@1.0.0: vendor/demo-chart/chart.js differs from the checked tarball's"
    ]
    fetch(packages, vendor, cache, registry=url)
    assert (vendor / "demo-chart" / "chart.js").read_bytes() == b"chart();"


def test_a_tarball_whose_checksum_is_not_the_locks_is_refused_before_extracting(
    registry: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = registry
    pinned = _tgz({"dist/chart.min.js": b"chart();"})
    _publish(root, _tgz({"dist/chart.min.js": b"steal(document.cookie);"}))  # a swapped tarball
    packages = load_lock(_lock(tmp_path, _integrity(pinned), {"dist/chart.min.js": "chart.js"}))
    vendor = tmp_path / "vendor"

    with pytest.raises(
        AssetError, match=r"^demo-chart@1\.0\.0: the tarball's checksum is .*refused"
    ):
        fetch(packages, vendor, tmp_path / "cache", registry=url)
    assert not (vendor / "demo-chart").exists()
    assert not (tmp_path / "cache").exists()  # a bad tarball is not cached either


def test_an_unreachable_registry_fails_naming_the_package(tmp_path: Path) -> None:
    packages = load_lock(_lock(tmp_path, _integrity(b"x"), {"dist/chart.min.js": "chart.js"}))
    with pytest.raises(
        AssetError, match=r"^demo-chart@1\.0\.0: cannot download http://127\.0\.0\.1:9/"
    ):
        fetch(packages, tmp_path / "vendor", tmp_path / "cache", registry="http://127.0.0.1:9")


@pytest.mark.parametrize("target", ["../../../outside.js", "/etc/outside.js", "a/../../x.js"])
def test_a_lock_that_would_write_outside_the_packages_folder_is_refused(
    tmp_path: Path, target: str
) -> None:
    with pytest.raises(AssetError, match="would leave the package's folder"):
        load_lock(_lock(tmp_path, _integrity(b"x"), {"dist/chart.min.js": target}))


def test_a_listed_file_that_is_a_link_in_the_tarball_is_refused(
    registry: tuple[str, Path], tmp_path: Path
) -> None:
    url, root = registry
    linked = _tgz({}, links={"dist/chart.min.js": "../../../../etc/passwd"})
    _publish(root, linked)
    packages = load_lock(_lock(tmp_path, _integrity(linked), {"dist/chart.min.js": "chart.js"}))
    with pytest.raises(AssetError, match="is a link, not a file"):
        fetch(packages, tmp_path / "vendor", tmp_path / "cache", registry=url)
    assert not (tmp_path / "vendor" / "demo-chart" / "chart.js").exists()


def test_the_projects_lock_pins_every_package_by_sha512_at_the_registry() -> None:
    packages = {p.name: p for p in load_lock()}
    assert packages["echarts"].version == "5.6.0"
    assert packages["echarts"].url("dist/echarts.min.js") == "/vendor/echarts/echarts.min.js"
    assert {"react", "react-dom", "graphiql", "@graphiql/plugin-explorer", "js-cookie"} <= set(
        packages
    )
    assert {"swagger-ui-dist", "redoc"} <= set(packages)

"""The third-party files the pages need, fetched once at install time from the npm registry by
pinned version and sha512 integrity (`assets.lock.json`), so the running ledger never needs the
internet. Standard library only, so a fresh machine needs no Node and nothing else installed.

    python -m api.web.assets fetch [--registry URL]   # make install runs this
    python -m api.web.assets check                    # no network: are the files as fetched?
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

LOCK = Path(__file__).with_name("assets.lock.json")
VENDOR = Path(__file__).with_name("vendor")
CACHE = Path(__file__).resolve().parents[2] / "var" / "npm-cache"
REGISTRY = "https://registry.npmjs.org"
STAMP = ".stamp.json"  # in the vendor folder: what was written, from which tarball
MAX_TARBALL = 64 * 1024 * 1024
_NAME = re.compile(r"(@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*")
_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?")


class AssetError(Exception):
    """A lock entry, a download or a tarball the fetcher refuses; the message names the package."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    tarball: str
    integrity: str  # npm's dist.integrity: "sha512-" + base64
    files: dict[str, str]  # path in the tarball's package/ -> path under vendor/<name>/

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def url(self, source: str) -> str:
        """The URL the ledger serves one of this package's files at."""
        return f"/vendor/{self.name}/{self.files[source]}"


def load_lock(path: Path = LOCK) -> list[Package]:
    """The lock's packages, each checked: a safe name, an exact version, the registry's own
    tarball URL, a sha512 integrity and relative paths that stay inside the package's folder."""
    packages = []
    for entry in json.loads(path.read_text("utf-8"))["packages"]:
        p = Package(entry["name"], entry["version"], entry["tarball"], entry["integrity"],
                    dict(entry["files"]))  # fmt: skip
        if not _NAME.fullmatch(p.name) or ".." in p.name:
            raise AssetError(f"{p.label}: not an npm package name")
        if not _VERSION.fullmatch(p.version):
            raise AssetError(f"{p.label}: the version must be exact (x.y.z)")
        base = p.name.rsplit("/", 1)[-1]
        if p.tarball != f"{REGISTRY}/{p.name}/-/{base}-{p.version}.tgz":
            raise AssetError(f"{p.label}: the tarball URL is not the registry's for this version")
        if not p.integrity.startswith("sha512-"):
            raise AssetError(f"{p.label}: the integrity must be npm's sha512 dist.integrity")
        if not p.files:
            raise AssetError(f"{p.label}: lists no files")
        for source, target in p.files.items():
            _relative(p, source)
            _relative(p, target)
        packages.append(p)
    return packages


def _relative(p: Package, path: str) -> PurePosixPath:
    """A path that cannot leave its folder: relative, no `..`, no backslash, no NUL."""
    parts = PurePosixPath(path).parts
    bad = not parts or path.startswith("/") or "\\" in path or "\0" in path
    if bad or any(part in ("..", ".") for part in parts):
        raise AssetError(f"{p.label}: the path {path!r} would leave the package's folder")
    return PurePosixPath(*parts)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _matches(p: Package, data: bytes) -> bool:
    expected = base64.b64decode(p.integrity.removeprefix("sha512-"))
    return hashlib.sha512(data).digest() == expected


def _download(p: Package, registry: str | None) -> bytes:
    url = p.tarball if registry is None else registry.rstrip("/") + p.tarball[len(REGISTRY) :]
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            data: bytes = answer.read(MAX_TARBALL + 1)
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise AssetError(
            f"{p.label}: cannot download {url} ({reason}); the install needs the npm registry "
            "once (or --registry a mirror of it); the running ledger never does"
        ) from None
    if len(data) > MAX_TARBALL:
        raise AssetError(f"{p.label}: {url} is larger than {MAX_TARBALL:,} bytes")
    return data


def tarball(p: Package, cache: Path, registry: str | None = None) -> bytes:
    """The package's tarball, from the cache or the registry, refused unless its sha512 is the
    lock's: nothing is extracted from bytes that were not checked."""
    cached = cache / f"{p.name.replace('/', '+')}-{p.version}.tgz"
    if cached.is_file() and _matches(p, data := cached.read_bytes()):
        return data
    data = _download(p, registry)
    if not _matches(p, data):
        got = base64.b64encode(hashlib.sha512(data).digest()).decode()
        raise AssetError(
            f"{p.label}: the tarball's checksum is sha512-{got}, not the lock's {p.integrity}; "
            "refused (nothing extracted)"
        )
    cache.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, cached)
    return data


def extract(p: Package, data: bytes, vendor: Path) -> dict[str, str]:
    """Write the listed files (and only those) under vendor/<name>/; their sha256 by target."""
    folder = vendor / p.name
    wanted = {str(_relative(p, s)): t for s, t in p.files.items()}
    written: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            inside = member.name.split("/", 1)[-1]  # npm's root folder is usually package/
            if inside not in wanted or wanted[inside] in written:
                continue
            if not member.isfile():
                raise AssetError(f"{p.label}: {member.name} is a link, not a file; refused")
            target = folder / _relative(p, wanted[inside])
            if not target.resolve().is_relative_to(folder.resolve()):
                raise AssetError(f"{p.label}: {wanted[inside]!r} would leave {folder}")
            stream = tar.extractfile(member)
            assert stream is not None  # a regular file has a stream
            content = stream.read()
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(content)
            os.replace(partial, target)
            written[wanted[inside]] = _sha256(content)
    missing = sorted(s for s, t in wanted.items() if t not in written)
    if missing:
        raise AssetError(f"{p.label}: the tarball has no {', '.join(missing)}")
    return written


def _read_stamp(vendor: Path) -> dict[str, dict[str, object]]:
    try:
        stamp: dict[str, dict[str, object]] = json.loads((vendor / STAMP).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp


def _targets(entry: dict[str, object]) -> set[str]:
    files = entry.get("files")
    return {str(t) for t in files} if isinstance(files, dict) else set()


def _stale(p: Package, vendor: Path, stamp: dict[str, dict[str, object]]) -> str | None:
    """Why the package's files are not as last fetched from its pinned tarball (None: they are)."""
    entry = stamp.get(p.name)
    if not entry or entry.get("integrity") != p.integrity:
        return "not fetched"
    hashes = entry.get("files")
    if not isinstance(hashes, dict) or set(hashes) != set(p.files.values()):
        return "fetched with another file list"
    for target, digest in hashes.items():
        path = vendor / p.name / target
        if not path.is_file():
            return f"vendor/{p.name}/{target} is missing"
        if _sha256(path.read_bytes()) != digest:
            return f"vendor/{p.name}/{target} differs from the checked tarball's"
    return None


def missing(packages: list[Package], vendor: Path = VENDOR) -> list[str]:
    """The packages with a file absent from vendor/ (no hashing: cheap enough for every start)."""
    return [p.label for p in packages
            if not all((vendor / p.name / t).is_file() for t in p.files.values())]  # fmt: skip


def check(packages: list[Package], vendor: Path = VENDOR) -> list[str]:
    """Every package whose files are missing or changed, with the reason (no network)."""
    stamp = _read_stamp(vendor)
    return [f"{p.label}: {why}" for p in packages if (why := _stale(p, vendor, stamp))]


def fetch(
    packages: list[Package],
    vendor: Path = VENDOR,
    cache: Path = CACHE,
    registry: str | None = None,
) -> list[str]:
    """Bring vendor/ to the lock: fetch, check and extract what is stale, drop files no longer
    listed, rewrite the stamp. Quick when nothing changed (it only hashes the files)."""
    old = _read_stamp(vendor)
    stamp: dict[str, dict[str, object]] = {}
    done = []
    for p in packages:
        if _stale(p, vendor, old) is None:
            stamp[p.name] = old[p.name]
            continue
        started = time.monotonic()
        data = tarball(p, cache, registry)
        files = extract(p, data, vendor)
        stamp[p.name] = {"version": p.version, "integrity": p.integrity, "files": files}
        done.append(f"{p.label}: {len(files)} file(s) from a {len(data) / 1e6:.1f} MB tarball, "
                    f"sha512 checked ({time.monotonic() - started:.1f} s)")  # fmt: skip
    for name, entry in old.items():  # files of an old pin or a dropped package
        kept = _targets(stamp.get(name, {}))
        for target in _targets(entry) - kept:
            gone = vendor / name / target
            if gone.resolve().is_relative_to(vendor.resolve()):  # the stamp is only a file
                gone.unlink(missing_ok=True)
    vendor.mkdir(parents=True, exist_ok=True)
    partial = vendor / (STAMP + ".part")
    partial.write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", "utf-8")
    os.replace(partial, vendor / STAMP)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.web.assets", description=__doc__)
    parser.add_argument("command", choices=["fetch", "check"])
    parser.add_argument("--registry", help=f"an npm registry mirror instead of {REGISTRY}")
    args = parser.parse_args(argv)
    try:
        packages = load_lock()
        if args.command == "check":
            problems = check(packages)
            for line in problems:
                print(f"error: {line} (run: make install)", file=sys.stderr)
            return 1 if problems else 0
        done = fetch(packages, registry=args.registry)
    except AssetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for line in done:
        print(f"assets: {line}")
    print(f"assets: {len(packages)} packages in {VENDOR} match {LOCK.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Strawberry's GraphiQL page with every unpkg.com URL replaced by the ledger's own copy of that
exact file (api/web/vendor, from the lock), so GraphiQL works on an intranet that reaches no CDN.

The template's subresource-integrity hashes are kept: the copies are the very files unpkg
serves, so the browser still checks them. A template URL the lock lacks fails at start.
"""

from __future__ import annotations

import re
from functools import cache

from strawberry.http.ides import get_graphql_ide_html

from api.web.assets import AssetError, Package, load_lock

_ATTRIBUTE_URL = re.compile(r"""\b(src|href)=(["'])(https?://[^"']*)\2""")
_UNPKG = re.compile(r"https://unpkg\.com/((?:@[^/@]+/)?[^/@]+)@([^/]+)/(.+)")


def local_url(url: str, packages: list[Package]) -> str:
    """The /vendor/... copy of an unpkg URL; AssetError when the lock has no such file."""
    found = _UNPKG.fullmatch(url)
    if found:
        name, version, path = found.groups()
        for p in packages:
            if (p.name, p.version) == (name, version) and path in p.files:
                return p.url(path)
    raise AssetError(f"the GraphiQL page names {url}, which assets.lock.json does not provide")


def localize(template: str, packages: list[Package]) -> str:
    """The page with each outside script/stylesheet URL replaced by the ledger's copy."""

    def replace(m: re.Match[str]) -> str:
        attribute, quote, url = m.groups()
        return f"{attribute}={quote}{local_url(url, packages)}{quote}"

    page = _ATTRIBUTE_URL.sub(replace, template)
    if "unpkg.com" in page or "jsdelivr" in page:
        raise AssetError("the GraphiQL page still names a CDN after its URLs were replaced")
    return page


@cache
def graphiql_html() -> str:
    """Strawberry's GraphiQL template, localized (read once per process)."""
    return forget_headers(localize(get_graphql_ide_html("graphiql"), load_lock()))


def forget_headers(page: str) -> str:
    """GraphiQL would keep its Headers tab (a pasted bearer token) in localStorage on the
    ledger's origin beyond the session; the dashboard keeps its token in sessionStorage only."""
    persisting = "shouldPersistHeaders: true"
    if persisting not in page:
        raise AssetError("the GraphiQL page no longer says shouldPersistHeaders: true; check it")
    return page.replace(persisting, "shouldPersistHeaders: false")

"""GraphiQL's template is served only with the ledger's copies of its files, and an inline
script runs under the pages' policy only by its hash."""

from __future__ import annotations

import pytest

from api.web.assets import AssetError, Package
from api.web.graphiql import graphiql_html, localize
from api.web.headers import inline_script_hashes, page_policy

REACT = Package(
    "react", "18.2.0", "https://registry.npmjs.org/react/-/react-18.2.0.tgz", "sha512-x",
    {"umd/react.production.min.js": "umd/react.production.min.js"},
)  # fmt: skip


def test_an_unpkg_url_of_a_locked_file_becomes_its_vendor_copy() -> None:
    page = localize(
        '<script src="https://unpkg.com/react@18.2.0/umd/react.production.min.js">', [REACT]
    )
    assert page == '<script src="/vendor/react/umd/react.production.min.js">'


@pytest.mark.parametrize(
    "url",
    [
        "https://unpkg.com/react@18.3.0/umd/react.production.min.js",  # another version
        "https://unpkg.com/react@18.2.0/umd/react.development.js",  # a file not taken
        "https://cdn.jsdelivr.net/npm/react@18.2.0/umd/react.production.min.js",
    ],
)
def test_a_template_url_the_lock_lacks_fails_loudly(url: str) -> None:
    with pytest.raises(AssetError, match="does not provide"):
        localize(f'<script src="{url}"></script>', [REACT])


def test_strawberrys_graphiql_page_names_no_cdn_once_localized() -> None:
    page = graphiql_html()
    assert "unpkg.com" not in page and 'src="/vendor/graphiql/graphiql.min.js"' in page
    assert 'integrity="sha384-' in page  # the browser still checks each copy


def test_only_the_pages_own_inline_script_may_run() -> None:
    html = '<script src="/a.js"></script><script>go()</script>'
    (digest,) = inline_script_hashes(html)
    directives = dict(d.split(" ", 1) for d in page_policy(html).split("; "))
    assert directives["script-src"] == f"'self' {digest}"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["default-src"] == "'self'"


def test_graphiql_does_not_keep_a_pasted_token_beyond_the_session() -> None:
    from api.web.graphiql import graphiql_html

    page = graphiql_html()
    assert "shouldPersistHeaders: false" in page and "shouldPersistHeaders: true" not in page

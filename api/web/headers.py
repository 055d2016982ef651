"""The headers the pages are served with: a Content-Security-Policy under which a page can load
nothing from another host (so a CDN URL that slipped in fails in the browser as well as in the
tests), and `nosniff` on every answer."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The dashboard's policy (no inline script at all), and every HTML page's that sets none.
DASHBOARD_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'"
    "; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"  # no plugin, <base>, framing
)
CSP = "Content-Security-Policy"

_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(html: str) -> list[str]:
    """CSP hash sources of the page's inline scripts, so they run without 'unsafe-inline'."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def page_policy(html: str, *, fonts: bool = False, workers: bool = False) -> str:
    """Same-origin only, for a page of a third-party tool: its own inline scripts by hash,
    inline styles (React and Swagger set style attributes), data: images; `fonts`: data: fonts
    (GraphiQL's CSS embeds its fonts); `workers`: blob: workers (ReDoc's search)."""
    scripts = " ".join(["'self'", *inline_script_hashes(html)])
    parts = [
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",  # CSP 3: and ws:/wss: to this host (GraphiQL's subscriptions)
    ]
    if fonts:
        parts.append("font-src 'self' data:")
    if workers:
        parts.append("worker-src 'self' blob:")
    parts += ["object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'"]
    return "; ".join(parts)


def html_page(html: str, *, fonts: bool = False, workers: bool = False) -> HTMLResponse:
    return HTMLResponse(html, headers={CSP: page_policy(html, fonts=fonts, workers=workers)})


class SecurityHeaders:
    """ASGI middleware: `nosniff` on every answer; the dashboard's policy on any HTML answer
    that brings none of its own (a new page is strict until it says otherwise)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault(CSP, DASHBOARD_CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)

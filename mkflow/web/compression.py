"""Responses sent gzipped: static scripts and styles (plotly.js is 1.2 MB as a file, 0.4 MB
gzipped) and the pages, fragments and exports the app writes (a head's dashboard is 84 KB
of HTML), since boards and charts are opened on modest hardware and networks."""

import gzip
from functools import lru_cache
from pathlib import Path

from flask import current_app, request

COMPRESSIBLE = {"text/javascript", "application/javascript", "text/css", "image/svg+xml"}
PAGES = {"text/html", "application/json", "text/csv", "text/calendar"}
SMALLEST = 500  # bytes: below this gzip's framing eats most of the gain
PAGE_LEVEL = 6  # zlib's default: about 1 ms for the 84 KB dashboard; 9 costs 3 times that
# Past this size a page is sent at level 1: a 500-task Gantt (280 KB) takes 1 ms instead of
# 3.5 ms and weighs 45 KB instead of 34 KB; a 5,000-task one 11 ms instead of 45 ms.
BIG_PAGE, BIG_PAGE_LEVEL = 128 * 1024, 1
# BREACH reads secrets (the CSRF token) from the size of compressed pages that a foreign
# site makes the browser fetch: such requests get their pages uncompressed.
OWN_REQUESTS = {None, "same-origin", "none"}


@lru_cache(maxsize=64)
def _gzipped(path: str, mtime_ns: int) -> bytes:
    """Each file is compressed once per process (and again only when it changes)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def compress(response):
    """Gzip what is worth it for a client that accepts it: static files whole (not ranges,
    not 304s) and the app's own answers (not streamed or already encoded ones)."""
    if request.endpoint == "static":
        return _compress_static(response)
    return _compress_page(response)


def _compress_static(response):
    if (
        response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
        or not request.accept_encodings.quality("gzip")
    ):
        return response
    path = Path(current_app.static_folder) / request.view_args["filename"]
    body = _gzipped(str(path), path.stat().st_mtime_ns)
    response.direct_passthrough = False
    response.response.close()  # the open file the static view would have sent
    response.set_data(body)
    _mark_gzipped(response)
    return response.make_conditional(request)  # a revalidation gets 304, not the file again


def _compress_page(response):
    if (
        response.mimetype not in PAGES
        or response.status_code < 200
        or response.status_code in (204, 206, 304)
        or response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
    ):
        return response
    body = response.get_data()
    if len(body) < SMALLEST:
        return response
    response.vary.add("Accept-Encoding")  # caches must keep both forms apart
    if not request.accept_encodings.quality("gzip") or (
        request.headers.get("Sec-Fetch-Site") not in OWN_REQUESTS
    ):
        return response
    level = BIG_PAGE_LEVEL if len(body) > BIG_PAGE else PAGE_LEVEL
    response.set_data(gzip.compress(body, compresslevel=level, mtime=0))
    _mark_gzipped(response)
    return response


def _mark_gzipped(response) -> None:
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-gzip", weak=weak)

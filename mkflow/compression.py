"""Static scripts and styles sent gzipped: plotly.js is 1.2 MB as a file, 0.4 MB gzipped,
and chart pages are opened on modest hardware and networks."""

import gzip
from functools import lru_cache
from pathlib import Path

from flask import current_app, request

COMPRESSIBLE = {"text/javascript", "application/javascript", "text/css", "image/svg+xml"}


@lru_cache(maxsize=64)
def _gzipped(path: str, mtime_ns: int) -> bytes:
    """Each file is compressed once per process (and again only when it changes)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def compress_static(response):
    """Gzip a whole static file for a client that accepts it (not ranges, not 304s)."""
    if (
        request.endpoint != "static"
        or response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
        or "gzip" not in request.accept_encodings
    ):
        return response
    path = Path(current_app.static_folder) / request.view_args["filename"]
    body = _gzipped(str(path), path.stat().st_mtime_ns)
    response.direct_passthrough = False
    response.response.close()  # the open file the static view would have sent
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-gzip", weak=weak)
    return response.make_conditional(request)  # a revalidation gets 304, not the file again

"""Pages, htmx fragments and exports come gzipped to a browser that accepts it — the same
bytes once unpacked — and as they are to everyone else; never streamed or already encoded
answers, nor pages that another site makes the browser fetch."""

import gzip
import re

from flask import Response
from support import launch_article

from mkflow.web import compression

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


# A CSRF token (payload.time.signature) is signed anew, with the time, for each request.
CSRF_TOKEN = re.compile(rb"[\w-]{30,}\.[\w-]{4,8}\.[\w-]{20,}")


def fetch(client, url):
    """The answer with gzip accepted, and without."""
    return client.get(url, headers=GZIP), client.get(url)


def same(one: bytes, other: bytes) -> bool:
    return CSRF_TOKEN.sub(b"token", one) == CSRF_TOKEN.sub(b"token", other)


def test_the_dashboard_comes_gzipped_and_unpacks_to_the_same_page(client, auth, demo_items):
    auth.login("head@demo.local")
    packed, plain = fetch(client, "/dashboard")
    assert packed.status_code == plain.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    page = gzip.decompress(packed.data)
    assert same(page, plain.data) and b"</html>" in page
    assert len(packed.data) * 4 < len(plain.data)
    # Without gzip accepted the page comes as it is, and says that it depends on it.
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]


def test_an_htmx_fragment_and_a_csv_export_come_gzipped(client, auth, demo_items):
    item = launch_article("Fragment article")
    auth.login("marketer@demo.local")
    form = {"action": "complete", "from": "board", "version": item.lock_version}
    form |= {"with_fields": "1", "field-brief": "Compare five CRMs"}
    answer = client.post(
        f"/instances/{item.id}/act", data=form, headers=GZIP | {"HX-Request": "true"}
    )
    assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "gzip"
    fragment = gzip.decompress(answer.data).decode()
    assert "Fragment article" in fragment and "<html" not in fragment

    auth.login("head@demo.local")
    packed, plain = fetch(client, "/dashboard/stages.csv")
    assert plain.mimetype == "text/csv" and len(plain.data) > 500
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data


def test_small_streamed_and_already_encoded_answers_are_sent_as_they_are(app, client):
    big = "<p>" + "A paragraph of a page. " * 200 + "</p>"

    @app.route("/__streamed")
    def streamed():
        return Response((part for part in [big, big]), mimetype="text/html")

    @app.route("/__encoded")
    def encoded():
        response = Response(gzip.compress(big.encode()), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
        return response

    assert client.get("/__streamed", headers=GZIP).data.decode() == big + big
    encoded_answer = client.get("/__encoded", headers=GZIP)
    assert gzip.decompress(encoded_answer.data).decode() == big  # packed once, not twice
    small = client.get("/healthz", headers=GZIP)
    assert "Content-Encoding" not in small.headers


def test_a_page_another_site_makes_the_browser_fetch_is_not_compressed(client, auth, demo):
    """A foreign page could guess the CSRF token from the compressed size (BREACH)."""
    auth.login("head@demo.local")
    cross = client.get("/me", headers=GZIP | {"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 200 and "Content-Encoding" not in cross.headers
    assert b"csrf_token" in cross.data
    own = client.get("/me", headers=GZIP | {"Sec-Fetch-Site": "same-origin"})
    typed = client.get("/me", headers=GZIP | {"Sec-Fetch-Site": "none"})
    assert own.headers["Content-Encoding"] == typed.headers["Content-Encoding"] == "gzip"


def test_a_client_that_refuses_gzip_gets_the_page_plain(client, auth, demo):
    auth.login("head@demo.local")
    refused = client.get("/me", headers={"Accept-Encoding": "gzip;q=0, deflate"})
    assert refused.status_code == 200 and "Content-Encoding" not in refused.headers
    with client.get("/static/js/charts.js", headers={"Accept-Encoding": "gzip;q=0"}) as script:
        assert "Content-Encoding" not in script.headers


def test_a_big_page_comes_gzipped_at_the_fast_level_and_unpacks_to_the_same(app, client):
    """A 5,000-task Gantt is megabytes: it is packed at level 1, not 6 (a tenth of the time)."""
    big = "".join(f"<tr><td>Task {n}</td><td>{n * 7919 % 1000}</td></tr>" for n in range(9000))

    @app.route("/__big")
    def big_page():
        return big

    assert len(big) > compression.BIG_PAGE
    answer = client.get("/__big", headers=GZIP)
    assert answer.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(answer.data).decode() == big
    assert answer.data == gzip.compress(big.encode(), compresslevel=1, mtime=0)

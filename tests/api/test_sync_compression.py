"""Sync responses travel gzip-compressed to a client that accepts it (a phone on a weak signal or a
small data plan), and as plain JSON to one that does not; both say the same thing."""

from __future__ import annotations

import gzip
import json

from tests.api.conftest import activity, auth


def _pull(client, token, accept_encoding: str | None):
    headers = auth(token)
    if accept_encoding is not None:
        headers["Accept-Encoding"] = accept_encoding
    return client.post("/api/v1/sync", json={"cursor": None, "mutations": [], "limit": 1000}, headers=headers)


def test_a_page_is_compressed_for_a_client_that_accepts_gzip(client, token):
    pushed = client.post("/api/v1/sync", json={"cursor": None, "mutations": [activity() for _ in range(60)]},
                         headers=auth(token))
    assert pushed.status_code == 200

    compressed = _pull(client, token, "gzip, deflate, br")
    plain = _pull(client, token, None)

    assert compressed.status_code == plain.status_code == 200
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert "Content-Encoding" not in plain.headers
    raw = compressed.get_data()
    assert int(compressed.headers["Content-Length"]) == len(raw)
    assert json.loads(gzip.decompress(raw)) == plain.get_json()
    assert len(plain.get_json()["changes"]) >= 60
    assert len(raw) * 3 < len(plain.get_data())  # 60 activities: a third of the bytes or less


def test_gzip_refused_by_the_client_is_not_used(client, token):
    client.post("/api/v1/sync", json={"cursor": None, "mutations": [activity() for _ in range(60)]},
                headers=auth(token))
    for refusal in ("gzip;q=0", "identity", "br"):
        response = _pull(client, token, refusal)
        assert "Content-Encoding" not in response.headers, refusal
        assert len(response.get_json()["changes"]) >= 60


def test_a_small_answer_is_not_compressed(client, token):
    first = _pull(client, token, "gzip").get_data()
    cursor = json.loads(gzip.decompress(first) if first[:2] == b"\x1f\x8b" else first)["cursor"]
    empty = client.post("/api/v1/sync", json={"cursor": cursor, "mutations": []},
                        headers={**auth(token), "Accept-Encoding": "gzip"})
    assert empty.status_code == 200
    assert "Content-Encoding" not in empty.headers
    assert empty.get_json()["changes"] == []

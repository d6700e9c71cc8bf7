"""`PUT/GET /api/v1/blobs/<sha256>`: receipts are checked by content, cleaned of metadata and scoped."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from tests.api.conftest import auth

GPS_IFD = 0x8825


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0112] = 1  # Orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (52.0, 22.0, 30.5)  # Hannover
    gps[3], gps[4] = "E", (9.0, 44.0, 10.2)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the test photo really carries GPS
        assert check.getexif().get_ifd(GPS_IFD)
    return data


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(width: int, height: int, rows: int | None = None) -> bytes:
    """A 1-bit PNG declaring width × height pixels; small on disk (all-white rows compress well)."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height if rows is None else rows))
    data += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def _one_page_pdf() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


PDF = _one_page_pdf()


@pytest.fixture(params=["folder", "database"])
def store(request, app):
    """Both receipt stores; blob_store() reads BLOB_STORE per request, so the app's setting decides."""
    app.config["BLOB_STORE"] = request.param
    return request.param


def put(client, token, data, digest=None, content_type="image/jpeg"):
    return client.put(f"/api/v1/blobs/{digest or sha(data)}", data=data, content_type=content_type,
                      headers=auth(token))


def get(client, token, digest):
    return client.get(f"/api/v1/blobs/{digest}", headers=auth(token))


def expense_change(sync, token, expense_id, cursor=None):
    body = sync(token, cursor=cursor).get_json()
    return next((c for c in body["changes"] if c["record_id"] == expense_id), None), body["cursor"]


def test_jpeg_round_trip_strips_exif_and_ends_missing_receipt(app, client, sync, token, referenced, store):
    from server.blobs.models import Blob
    from server.extensions import db

    photo = jpeg_with_gps()
    expense_id = referenced(photo)
    change, cursor = expense_change(sync, token, expense_id)
    assert change["data"]["missing_receipts"] == [sha(photo)]
    response = put(client, token, photo)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["content_type"] == "image/jpeg"
    # The expense comes again, no longer missing its receipt.
    change, cursor = expense_change(sync, token, expense_id, cursor)
    assert change is not None and change["data"]["missing_receipts"] == []
    assert change["data"]["receipts"] == [sha(photo)]
    downloaded = get(client, token, sha(photo))
    assert downloaded.status_code == 200
    assert downloaded.mimetype == "image/jpeg"
    assert downloaded.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(downloaded.data)) as image:
        assert image.size == (64, 48)
        exif = image.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(GPS_IFD)
        assert "exif" not in image.info
    assert b"PhoneMaker" not in downloaded.data
    # Where the bytes live follows BLOB_STORE.
    db.session.expire_all()
    in_database = db.session.scalar(db.select(Blob.data).where(Blob.sha256 == sha(photo)))
    owner = db.session.scalar(db.select(Blob.organization_id).where(Blob.sha256 == sha(photo)))
    on_disk = Path(app.config["BLOB_DIR"]) / str(owner) / sha(photo)[:2] / sha(photo)
    if store == "database":
        assert in_database == downloaded.data and not on_disk.exists()
    else:
        assert in_database is None and on_disk.read_bytes() == downloaded.data
    # Uploading again (a retry) is harmless.
    again = put(client, token, photo)
    assert again.status_code == 200
    assert again.get_json() == response.get_json()


def test_pdf_is_rewritten_and_still_a_pdf(client, token, referenced, store):
    import pikepdf

    referenced(PDF)
    assert put(client, token, PDF, content_type="application/pdf").status_code == 201
    downloaded = get(client, token, sha(PDF))
    assert (downloaded.status_code, downloaded.mimetype) == (200, "application/pdf")
    with pikepdf.open(io.BytesIO(downloaded.data)) as pdf:  # test_receipt_metadata.py: what it lost
        assert len(pdf.pages) == 1


def test_png_is_accepted(client, token, referenced):
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(out, "PNG")
    data = out.getvalue()
    referenced(data)
    assert put(client, token, data, content_type="image/png").status_code == 201
    assert get(client, token, sha(data)).mimetype == "image/png"


def test_hash_mismatch(client, token, referenced):
    photo = jpeg_with_gps()
    referenced(photo)
    response = put(client, token, photo[:-10] + b"0123456789", digest=sha(photo))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "hash_mismatch"
    assert get(client, token, sha(photo)).status_code == 404


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"Quittung: 3,20 EUR\n" * 10, 415, "unsupported_type"),
    (b"GIF89a" + b"\x00" * 100, 415, "unsupported_type"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", 415, "unsupported_type"),
    (b"%PDF-1.4\nno end", 400, "broken_file"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 50, 400, "broken_file"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, 400, "broken_file"),
], ids=["text-as-jpeg", "gif", "svg", "pdf-without-eof", "jpeg-magic-only", "png-magic-only"])
def test_content_decides_not_the_declared_type(client, token, referenced, data, status, code):
    referenced(data)
    response = put(client, token, data, content_type="image/jpeg")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert get(client, token, sha(data)).status_code == 404


def test_truncated_jpeg_is_broken(client, token, referenced):
    photo = jpeg_with_gps((400, 300))
    cut = photo[: len(photo) // 2]
    referenced(cut)
    response = put(client, token, cut)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "broken_file"


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (8000, 8000), (7000, 7000)])
def test_decompression_bomb_is_refused_without_a_500(client, token, referenced, width, height):
    bomb = huge_png(width, height)
    assert len(bomb) < 200_000
    referenced(bomb)
    response = put(client, token, bomb, content_type="image/png")
    assert response.status_code in (400, 413), response.get_json()
    assert response.get_json()["error"]["code"] in ("too_large", "broken_file")


def test_bomb_header_with_little_data_is_refused(client, token, referenced):
    bomb = huge_png(30000, 30000, rows=10)
    referenced(bomb)
    response = put(client, token, bomb, content_type="image/png")
    assert response.status_code in (400, 413)


def test_larger_than_blob_max_bytes_is_413(app, client, token, referenced):
    data = b"%PDF-1.4\n" + b"0" * app.config["BLOB_MAX_BYTES"] + b"\n%%EOF\n"
    referenced(data)
    response = put(client, token, data, content_type="application/pdf")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_unreferenced_blob_is_409_on_put_and_404_on_get(client, token):
    photo = jpeg_with_gps()
    response = put(client, token, photo)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_referenced"
    assert get(client, token, sha(photo)).status_code == 404


@pytest.mark.parametrize("digest", ["abc", "A" * 64, "g" * 64, "0" * 63, "0" * 65])
def test_malformed_hash_is_404(client, token, digest):
    assert get(client, token, digest).status_code == 404
    assert put(client, token, b"x", digest=digest).status_code == 404


def test_another_guide_cannot_get_my_receipt(client, token, referenced, make_device, make_user, org, make_org):
    photo = jpeg_with_gps()
    referenced(photo)
    assert put(client, token, photo).status_code == 201
    colleague = make_device(make_user(org, "guide"), "colleague")
    stranger = make_device(make_user(make_org("andere", "Andere"), "guide"), "stranger")
    for device in (colleague, stranger):
        response = get(client, device.token, sha(photo))
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        assert put(client, device.token, photo).status_code == 409


def test_blob_errors_are_translated(client, token, referenced):
    data = b"just text"
    referenced(data)
    english = client.put(f"/api/v1/blobs/{sha(data)}", data=data,
                         headers=dict(auth(token), **{"Accept-Language": "en"})).get_json()["error"]
    german = client.put(f"/api/v1/blobs/{sha(data)}", data=data,
                        headers=dict(auth(token), **{"Accept-Language": "de"})).get_json()["error"]
    assert english["code"] == german["code"] == "unsupported_type"
    assert english["message"] == "Only JPEG, PNG and PDF receipts are accepted."
    assert german["message"] != english["message"]

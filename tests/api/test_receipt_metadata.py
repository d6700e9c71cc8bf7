"""Receipts keep their pixels and pages, nothing else (issue #16, item 2; sync/PROTOCOL.md §7): real files
with a JPEG comment and EXIF GPS, PNG text chunks and an ICC profile, a PDF with document information,
XMP, JavaScript, an open action, page actions, an embedded file and a form — uploaded over HTTP into both
receipt stores; the served bytes hold none of it (the photographer's name is searched in the raw bytes)."""

from __future__ import annotations

import io
import zlib

import pikepdf
import pytest
from PIL import Image, ImageCms, PngImagePlugin

from tests.api.test_blobs import GPS_IFD, get, jpeg_with_gps, png_chunk, put, sha

NAME = "Aufgenommen von Ayşe Demir, Hannover"
MARKERS = [NAME.encode(), NAME.encode("latin-1", "replace"), "Ayşe".encode(), b"Ay\xfee", b"Demir",
           b"PhoneMaker"]


def _marked(data: bytes) -> list[bytes]:
    """Which markers the bytes hold, also inside compressed streams (zlib anywhere in the file)."""
    found = [m for m in MARKERS if m in data]
    for start in range(len(data) - 2):
        if data[start] == 0x78 and data[start + 1] in (0x01, 0x5E, 0x9C, 0xDA):
            try:
                inflated = zlib.decompressobj().decompress(data[start:start + 200_000])
            except zlib.error:
                continue
            found += [m for m in MARKERS if m in inflated]
    return sorted(set(found))


def jpeg_with_comment_and_gps() -> bytes:
    with Image.open(io.BytesIO(jpeg_with_gps((80, 60)))) as image:
        exif = image.getexif()
        out = io.BytesIO()
        image.save(out, "JPEG", exif=exif, comment=NAME.encode(),
                   icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data = out.getvalue()
    xmp = (b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><dc:creator>" + NAME.encode() + b"</dc:creator></x:xmpmeta>")
    app1 = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    data = data[:2] + app1 + data[2:]
    with Image.open(io.BytesIO(data)) as check:  # the test photo really carries all of it
        assert check.info["comment"] == NAME.encode() and check.getexif().get_ifd(GPS_IFD)
        assert "icc_profile" in check.info
    return data


def png_with_text_and_icc() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ayse Demir")
    info.add_text("Comment", NAME, zip=True)            # zTXt
    info.add_itxt("Description", NAME, lang="de")         # iTXt
    image = Image.new("RGB", (40, 30), (10, 200, 30))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info,
               icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    data = out.getvalue()
    # A plain tEXt chunk with the name in Latin-1, right after IHDR.
    text = png_chunk(b"tEXt", b"Photographer\x00" + NAME.encode("latin-1", "replace"))
    data = data[:33] + text + data[33:]
    with Image.open(io.BytesIO(data)) as check:
        assert "icc_profile" in check.info and check.text["Description"] == NAME
    return data


def pdf_with_everything() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 20 100 Td (Quittung 3,20 EUR) Tj ET")
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)))
    pdf.docinfo["/Author"] = NAME
    pdf.docinfo["/Title"] = "Ayşe Demir Quittung"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [NAME]
    script = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=f"app.alert('{NAME}')"))
    pdf.Root.OpenAction = script
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Names=pikepdf.Array(["hello", script])))
    page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert('Demir')"))
    attachment = pikepdf.AttachedFileSpec(pdf, f"{NAME} GPS 52.37 9.73".encode(), mime_type="text/plain")
    pdf.attachments["ayse-demir.txt"] = attachment
    field = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, T="name", V=NAME,
        Rect=pikepdf.Array([10, 10, 150, 30]), P=page.obj))
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([field]))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    data = out.getvalue()
    assert NAME.encode() in data or b"Demir" in data
    return data


@pytest.mark.parametrize("store", ["folder", "database"])
def test_a_jpeg_keeps_no_comment_exif_xmp_or_icc(app, client, token, referenced, store):
    app.config["BLOB_STORE"] = store
    photo = jpeg_with_comment_and_gps()
    referenced(photo)
    assert put(client, token, photo).status_code == 201
    served = get(client, token, sha(photo)).data
    with Image.open(io.BytesIO(served)) as image:
        assert image.size == (80, 60)
        assert not {"comment", "exif", "icc_profile", "xmp"} & set(image.info), image.info.keys()
        assert len(image.getexif()) == 0
    assert b"\xff\xfe" not in served.split(b"\xff\xda", 1)[0]          # no COM segment before the scan
    assert b"\xff\xe1" not in served.split(b"\xff\xda", 1)[0]          # no APP1 (EXIF, XMP)
    assert b"\xff\xe2" not in served.split(b"\xff\xda", 1)[0]          # no APP2 (ICC)
    assert _marked(served) == []


@pytest.mark.parametrize("store", ["folder", "database"])
def test_a_png_keeps_no_text_chunks_or_icc(app, client, token, referenced, store):
    app.config["BLOB_STORE"] = store
    picture = png_with_text_and_icc()
    referenced(picture)
    assert put(client, token, picture, content_type="image/png").status_code == 201
    served = get(client, token, sha(picture)).data
    with Image.open(io.BytesIO(served)) as image:
        assert image.size == (40, 30) and image.getpixel((0, 0))[:3] == (10, 200, 30)
        assert not {"icc_profile", "Author", "Comment", "Description", "Photographer"} & set(image.info)
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"eXIf", b"tIME"):
        assert chunk not in served, chunk
    assert _marked(served) == []


@pytest.mark.parametrize("store", ["folder", "database"])
def test_a_pdf_is_rewritten_without_metadata_scripts_attachments_or_forms(app, client, token, referenced, store):
    app.config["BLOB_STORE"] = store
    document = pdf_with_everything()
    referenced(document)
    response = put(client, token, document, content_type="application/pdf")
    assert response.status_code == 201, response.get_json()
    served = get(client, token, sha(document))
    assert served.mimetype == "application/pdf"
    with pikepdf.open(io.BytesIO(served.data)) as pdf:
        assert len(pdf.pages) == 1
        assert b"Quittung 3,20 EUR" in pdf.pages[0].Contents.read_bytes()   # the page is still there
        assert "/Info" not in pdf.trailer or len(pdf.docinfo) == 0
        for key in ("/Metadata", "/OpenAction", "/AA", "/AcroForm", "/Names"):
            assert key not in pdf.Root, key
        assert len(pdf.attachments) == 0
        assert "/AA" not in pdf.pages[0].obj and "/Annots" not in pdf.pages[0].obj
        for obj in pdf.objects:
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                assert "/JS" not in obj and "/EmbeddedFile" != obj.get("/Type") and "/Metadata" not in obj
    for word in (b"JavaScript", b"/JS", b"EmbeddedFile", b"AcroForm", b"OpenAction", b"xmpmeta"):
        assert word not in served.data, word
    assert _marked(served.data) == []


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF\n" + b"garbage" * 3,
    b"%PDF-1.7\n" + b"\x00\xff" * 200 + b"\n%%EOF\n",
    b"%PDF-1.4\nno end",
], ids=["no-pages-tree", "binary-noise", "no-eof"])
def test_a_pdf_that_cannot_be_parsed_is_a_clear_400(client, token, referenced, data):
    referenced(data)
    response = put(client, token, data, content_type="application/pdf")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "broken_file"
    assert get(client, token, sha(data)).status_code == 404

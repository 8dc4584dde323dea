"""Small real files of each type uploads accept, for tests that send files.

The pictures (python.png/.jpg/.gif/.webp) are CPython's own test data
(Lib/test/test_email/data, PSF licence). The documents are written here with the standard
library and openpyxl, so they open in the programs that read them: a one-page PDF with a
correct cross-reference table, a Word document, an Excel workbook, a ZIP archive, a mail.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

PNG = (HERE / "python.png").read_bytes()
JPEG = (HERE / "python.jpg").read_bytes()
GIF = (HERE / "python.gif").read_bytes()
WEBP = (HERE / "python.webp").read_bytes()


def _pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        None,  # the content stream, below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 12 Tf 20 50 Td (Acceptance report) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        package.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'))
        package.writestr("word/document.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:body><w:p><w:r><w:t>维保合同</w:t></w:r></w:p></w:body></w:document>'))
    return buffer.getvalue()


def _xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["serial", "model"])
    workbook.active.append(["NF5600-0001", "NF-5600"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("logs/psu.log", "2025-01-27 18:00:01 ERROR PSU2 failed\n" * 20)
    return buffer.getvalue()


PDF = _pdf()
DOCX = _docx()
XLSX = _xlsx()
ZIP = _zip()
LOG_UTF8 = "2025-01-27 18:00:01 ERROR 电源模块 PSU2 故障\n".encode()
CSV_GB18030 = "序列号,型号\nNF5600-0001,防火墙\n".encode("gb18030")
EML = ("From: 张工 <zhang@example.com>\r\nTo: service@example.com\r\nSubject: =?utf-8?b?5pWF6Zqc?=\r\n"
       "Content-Type: text/plain; charset=utf-8\r\n\r\n防火墙电源告警。\r\n").encode()

# A Windows program renamed to look like a document, and a web page doing the same.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"

"""validate_upload: extension, size, then the first bytes against the claimed type."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation

from aftersales.core.uploads import read_head, validate_upload
from aftersales.domain.filetypes import SNIFF_BYTES
from tests.core import samples

TYPES = {".pdf": "application/pdf", ".png": "image/png", ".log": "text/plain"}


def refusal(file, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_upload(file, allowed_types=TYPES, max_bytes=kwargs.get("max_bytes", 10_000_000))
    return caught.value


def test_a_real_file_returns_its_content_type():
    assert validate_upload(SimpleUploadedFile("a.PDF", samples.PDF), allowed_types=TYPES, max_bytes=10_000) == \
        "application/pdf"


def test_a_renamed_program_is_refused_with_the_content_code_and_a_clear_message():
    error = refusal(SimpleUploadedFile("invoice.pdf", samples.EXE))
    assert error.code == "file_content"
    with translation.override("en"):
        assert error.messages == ["The file's content is not a PDF."]
    with translation.override("zh-hans"):
        assert error.messages == ["文件内容不是 PDF。"]


def test_the_extension_and_size_are_judged_before_the_content():
    assert refusal(SimpleUploadedFile("setup.exe", samples.EXE)).code == "file_type"
    assert refusal(SimpleUploadedFile("big.pdf", samples.EXE), max_bytes=10).code == "file_size"


def test_the_file_is_read_only_at_its_head_and_left_where_it_was():
    body = samples.LOG_UTF8 * 2000  # far more than the head
    upload = SimpleUploadedFile("psu.log", body)
    upload.seek(5)
    head, whole = read_head(upload)
    assert (len(head), whole) == (SNIFF_BYTES, False)
    assert upload.tell() == 5
    upload.seek(0)
    validate_upload(upload, allowed_types=TYPES, max_bytes=10_000_000)
    assert upload.read() == body  # the whole file is still there to be stored


def test_a_large_upload_spooled_to_disk_is_judged_too(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    upload = TemporaryUploadedFile("scan.pdf", "application/pdf", 0, None)
    upload.write(b"<html>" + b"x" * 100_000)
    upload.size = upload.tell()
    try:
        assert refusal(upload).code == "file_content"
        upload.seek(0)
        assert upload.read(6) == b"<html>"
    finally:
        upload.close()


def test_a_short_file_is_judged_whole():
    head, whole = read_head(io.BytesIO(samples.PNG))
    assert head == samples.PNG and whole

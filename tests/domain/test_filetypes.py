"""The content check of uploads: first bytes against the type the extension claims."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.filetypes import SNIFF_BYTES, ContentCheck, check_content, looks_like_html
from tests.core import samples


def judge(extension: str, content: bytes):
    return check_content(extension, content[:SNIFF_BYTES], whole_file=len(content) <= SNIFF_BYTES)


@pytest.mark.parametrize(("extension", "content", "kind"), [
    (".pdf", samples.PDF, "pdf"),
    (".png", samples.PNG, "png"),
    (".jpg", samples.JPEG, "jpeg"),
    (".JPEG", samples.JPEG, "jpeg"),
    (".gif", samples.GIF, "gif"),
    (".webp", samples.WEBP, "webp"),
    (".docx", samples.DOCX, "office"),
    (".xlsx", samples.XLSX, "office"),
    (".zip", samples.ZIP, "zip"),
    (".log", samples.LOG_UTF8, "text"),
    (".txt", b"\xef\xbb\xbfnotes with a BOM\n", "text"),
    (".txt", b"", "text"),
    (".csv", samples.CSV_GB18030, "text"),
    (".txt", "Windows 导出\r\n".encode("utf-16"), "text"),
    (".eml", samples.EML, "email"),
    (".heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32, "heif"),
    (".xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "legacy_office"),
])
def test_real_files_match_their_extension(extension, content, kind):
    assert judge(extension, content) == ContentCheck(kind=kind, matches=True)


@pytest.mark.parametrize(("extension", "content"), [
    (".pdf", samples.EXE),
    (".pdf", samples.HTML),
    (".png", samples.JPEG),
    (".jpg", samples.PNG),
    (".gif", samples.PDF),
    (".webp", b"RIFF\x24\x00\x00\x00WAVEfmt "),
    (".docx", samples.PDF),
    (".xlsx", samples.EXE),
    (".zip", samples.EXE),
    (".doc", samples.DOCX),
    (".heic", samples.JPEG),
    (".log", samples.EXE),          # NUL bytes
    (".txt", samples.PNG),          # binary
    (".csv", b"serial,model\n\x80\xff\n"),  # neither UTF-8 nor GB18030
    (".eml", samples.ZIP),
    (".pdf", b""),
])
def test_other_content_under_a_claimed_type_does_not_match(extension, content):
    assert judge(extension, content).matches is False


def test_an_extension_without_a_known_signature_is_left_to_the_allow_list():
    verdict = check_content(".dwg", b"AC1032\x00\x00", whole_file=True)
    assert (verdict.kind, verdict.matches) == (None, True)


def test_a_head_cut_inside_a_character_is_still_text_but_a_whole_file_must_end_cleanly():
    text = ("故障" * 5000).encode()  # 30 000 bytes of three-byte characters
    cut = text[: SNIFF_BYTES]  # 8192 is not a multiple of 3: the last character is cut
    assert check_content(".log", cut, whole_file=False).matches
    assert not check_content(".log", text[:7], whole_file=True).matches  # ends on a lead byte


def test_more_than_the_sniffed_head_is_judged_as_a_head():
    text = ("故障" * 5000).encode()
    assert check_content(".log", text[: SNIFF_BYTES + 1], whole_file=True).matches


def test_the_pdf_header_may_follow_a_little_leading_junk_but_not_a_kilobyte():
    assert judge(".pdf", b"\r\n" + samples.PDF).matches
    assert not judge(".pdf", b" " * 1024 + samples.PDF).matches


@given(st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"])))
def test_any_utf8_text_without_nul_is_a_log_unless_a_browser_would_open_it_as_a_page(text):
    assert judge(".log", text.encode()).matches is not looks_like_html(text.encode())


@pytest.mark.parametrize("content", [
    samples.HTML,
    b"<!DOCTYPE html><title>x</title>",
    b"\r\n  <HTML>\n<body onload=alert(1)>",
    b"<script>fetch('/api/v1/tickets')</script>",
    b"<!-- a comment -->",
    b"\xef\xbb\xbf<html>",
    "<html><body>导出</body></html>".encode("utf-16"),
    b"<a href='http://evil.example'>x</a>",
])
def test_an_html_page_renamed_to_a_text_type_is_refused(content):
    for extension in (".log", ".txt", ".csv", ".json", ".md", ".eml"):
        assert judge(extension, content).matches is False, (extension, content)


@pytest.mark.parametrize("content", [
    b"2025-03-03 10:00:01 <ERROR> link down\n",
    b"<interface>eth0</interface>\n",
    b"<html-report> is not a tag a browser sniffs\n",
    b"a < b and b > c\n",
])
def test_logs_with_angle_brackets_are_still_logs(content):
    assert judge(".log", content).matches


def test_xml_may_start_with_any_element():
    assert judge(".xml", b"<?xml version='1.0'?><a>1</a>").matches
    assert judge(".xml", b"<p>paragraph</p>").matches


@given(st.binary(min_size=1))
def test_nothing_with_a_nul_byte_passes_as_utf8_text(data):
    content = data + b"\x00"
    assert not judge(".txt", content).matches or content.startswith((b"\xff\xfe", b"\xfe\xff"))

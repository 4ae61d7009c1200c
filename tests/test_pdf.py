"""PDF sources: text by page and paragraph, the same events, and bombs contained.

The fixtures are written by a real PDF writer (fpdf2) and served by the local site.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import Project
from fpdf import FPDF

from monitor.extract.pdf import BadPdf, extract_pdf, page_paragraphs
from monitor.pipeline.analyser import analyse
from testing.site import Page

REPORT = "/reports/annual.pdf"
PAGES = [
    ["Detention in the northern provinces", "This report documents arrests made between "
     "January and June. It draws on interviews with former detainees and their families."],
    ["Findings", "Investigators counted 1,200 people held without charge in three camps. "
     "Most were held for more than six months.", "Families were not told where they were."],
    ["Recommendations", "The authorities should release those held without charge."],
]


def report_pdf(pages: list[list[str]] = PAGES, title: str = "Annual report 2026") -> bytes:
    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(6)
    return bytes(pdf.output())


def serve(project: Project, body: bytes) -> None:
    project.site.put(REPORT, Page(body=body, headers={"Content-Type": "application/pdf"}))


def test_a_pdf_is_text_by_page_with_its_title_from_the_document_info() -> None:
    document = extract_pdf(report_pdf())
    assert document.title == "Annual report 2026"
    text = document.paragraphs
    assert [p for p in text if p.startswith("[page ")] == ["[page 1]", "[page 2]", "[page 3]"]
    assert "Investigators counted 1,200 people held without charge in three camps. Most were "\
           "held for more than six months." in text
    assert text.index("[page 2]") < text.index("Findings") < text.index("[page 3]")
    # Without a title in its info, the first line is the title.
    assert extract_pdf(report_pdf(title="")).title == "Detention in the northern provinces"
    assert [p for p in extract_pdf(report_pdf(), max_pages=2).paragraphs
            if p.startswith("[page ")] == ["[page 1]", "[page 2]"]


def test_lines_join_into_paragraphs_and_hyphenated_words_join_whole() -> None:
    assert page_paragraphs("The camp held\nmany people.\nA new para-\ngraph starts.\n\nNext") \
        == ["The camp held many people.", "A new paragraph starts.", "Next"]


def test_a_changed_figure_on_page_two_alerts_with_its_page(project: Project) -> None:
    serve(project, report_pdf())
    project.write({"report": REPORT})
    assert project.run("check").code == 0
    assert "[page 2]\nFindings\n" in project.snapshot("report")
    edited = [PAGES[0], [PAGES[1][0], PAGES[1][1].replace("1,200", "120"), PAGES[1][2]],
              PAGES[2]]
    serve(project, report_pdf(edited))
    result = project.run("check")
    assert result.code == 0 and "changed" in result.out
    [post] = project.site.posts("/hooks/monitor")
    alert = post.json()
    assert alert["title"] == "Annual report 2026"
    assert alert["changes"][0] == {"field": "body", "kind": "figure", "before": "1,200",
                                   "after": "120", "paragraph": 5, "page": 2}
    # Removal is the same event as for a page.
    project.site.put_status(REPORT, 404)
    project.run("check")
    project.run("check")
    assert [p.json()["event"] for p in project.site.posts("/hooks/monitor")] == [
        "changed", "removed"]


BOMB = """
import resource, sys, zlib
from io import BytesIO
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject
from monitor.pipeline.analyser import analyse

writer = PdfWriter()
page = writer.add_blank_page(612, 792)
packer = zlib.compressobj(9)
chunk = b"BT /F1 12 Tf (x) Tj ET " * 50_000
stream = StreamObject()
stream.set_data(b"")
stream._data = b"".join(packer.compress(chunk) for _ in range(200_000_000 // len(chunk))) \\
    + packer.flush()
stream[NameObject("/Filter")] = NameObject("/FlateDecode")
page[NameObject("/Contents")] = writer._add_object(stream)
font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                         NameObject("/Subtype"): NameObject("/Type1"),
                         NameObject("/BaseFont"): NameObject("/Helvetica")})
page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
    {NameObject("/F1"): writer._add_object(font)})})
out = BytesIO()
writer.write(out)
body = out.getvalue()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
analysis = analyse(body, "https://example.org/r.pdf", None)
print(len(body), analysis.error)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_a_pdf_bomb_is_refused_without_inflating_it() -> None:
    """200 MB of page content in 430 kB of PDF: refused at the stream cap, in a child
    process so that its peak memory is its own (pypdf's writer made the bomb there)."""
    run = subprocess.run([sys.executable, "-c", BOMB], capture_output=True, text=True,
                         timeout=300, check=True)
    summary, grown = run.stdout.splitlines()[-2:]
    size, _, error = summary.partition(" ")
    assert int(size) < 1_000_000
    assert "cannot be read" in error and "Limit" in error
    assert int(grown) < 100_000  # kB: the stream cap is 20 MB; inflated, it is 200 MB


def test_a_broken_pdf_is_an_error_of_its_own() -> None:
    broken = analyse(b"%PDF-1.7\nnot really a pdf", "https://example.org/r.pdf", None)
    assert broken.document.is_empty
    with pytest.raises(BadPdf, match="cannot be read"):
        extract_pdf(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer "
                    b"<< /Root 1 0 R >>\n%%EOF")

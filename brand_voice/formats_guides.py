"""Voice guides from Markdown, plain text, DOCX and PDF files, as Markdown-ish text."""

from __future__ import annotations

import io
import itertools
import re
import zipfile

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from pypdf import PdfReader

from brand_voice.formats_posts import (
    MAX_FILE_BYTES,
    check_upload,
    decode_utf8,
    extension,
    file_error,
    unsupported,
)
from retrieval.text import clean_text

GUIDE_EXTENSIONS = (".md", ".markdown", ".txt", ".docx", ".pdf")
_TEXT_EXTENSIONS = (".md", ".markdown", ".txt")
# A DOCX is a zip archive: a small file can unpack to gigabytes of XML.
_MAX_UNPACKED_BYTES = 10 * MAX_FILE_BYTES
_HEADING = re.compile(r"Heading ([1-9])")


def parse_guide(filename: str, data: bytes) -> str:
    """The guide's text as Markdown: headings, list items and bold kept, invisible marks out."""
    check_upload(filename, data)
    kind = extension(filename)
    if kind in _TEXT_EXTENSIONS:
        raw = decode_utf8(filename, data)
    elif kind == ".docx":
        raw = _docx_text(filename, data)
    elif kind == ".pdf":
        raw = _pdf_text(filename, data)
    else:
        raise unsupported(filename, GUIDE_EXTENSIONS)
    text = clean_text(raw)
    if not text:
        scanned = " (a scanned PDF has no text layer: upload the text instead)"
        raise file_error(filename, "no text found" + (scanned if kind == ".pdf" else ""))
    return text


# DOCX.


def _docx_text(filename: str, data: bytes) -> str:
    blocks: list[tuple[str, str]] = []
    for block in _open_docx(filename, data).iter_inner_content():
        if isinstance(block, Table):
            blocks.append(("table", _table_text(block)))
        else:
            blocks.append(_paragraph_block(block))
    return _joined(blocks)


def _open_docx(filename: str, data: bytes) -> Document:
    not_docx = "not a valid .docx file (an old .doc file must be saved as .docx first)"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise file_error(filename, not_docx) from None
    if unpacked > _MAX_UNPACKED_BYTES:
        raise file_error(filename, f"unpacks to {unpacked:,} bytes, too much for a guide")
    try:
        return docx.Document(io.BytesIO(data))
    # python-docx fails on broken packages with many exception types (KeyError, lxml's, ...).
    except Exception:
        raise file_error(filename, not_docx) from None


def _paragraph_block(paragraph: Paragraph) -> tuple[str, str]:
    """A paragraph as ("heading" | "item" | "text", its Markdown)."""
    style = (paragraph.style.name if paragraph.style is not None else None) or ""
    level = _heading_level(style)
    if level:
        return "heading", "#" * level + " " + " ".join(paragraph.text.split())
    p_pr = paragraph._p.pPr
    # Word's own lists are "List Paragraph"s with numbering; python-docx uses "List Bullet".
    if style.startswith("List") or (p_pr is not None and p_pr.numPr is not None):
        return "item", "- " + _inline(paragraph).strip()
    return "text", _inline(paragraph)


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = _HEADING.fullmatch(style)
    return min(int(match[1]), 6) if match else 0


def _inline(paragraph: Paragraph) -> str:
    parts = [
        (part.text, isinstance(part, Run) and part.bold is True)
        for part in paragraph.iter_inner_content()
    ]
    text = ""
    for bold, group in itertools.groupby(parts, key=lambda part: part[1]):
        chunk = "".join(piece for piece, _ in group)
        text += _bold(chunk) if bold else chunk
    return text


def _bold(chunk: str) -> str:
    core = chunk.strip()
    if not core:
        return chunk
    # Markdown needs the stars next to the words: "**Use:** text", not "**Use: **text".
    start = chunk.index(core[0])
    return f"{chunk[:start]}**{core}**{chunk[start + len(core) :]}"


def _table_text(table: Table) -> str:
    rows = [[" ".join(cell.text.split()) for cell in row.cells] for row in table.rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in rows if any(cells))


def _joined(blocks: list[tuple[str, str]]) -> str:
    """Blocks with a blank line between them, as Markdown separates paragraphs; list items,
    and the text under a heading, follow on the next line."""
    text = ""
    previous = ""
    for kind, block in blocks:
        if not block.strip():
            continue
        tight = previous == "heading" != kind or previous == kind == "item"
        text += ("\n" if tight else "\n\n") + block if previous else block
        previous = kind
    return text


# PDF.


def _pdf_text(filename: str, data: bytes) -> str:
    reader = _open_pdf(filename, data)
    try:
        pages = [page.extract_text() for page in reader.pages]
    # pypdf fails on broken content streams with many exception types.
    except Exception:
        raise file_error(filename, "not a valid .pdf file (its pages cannot be read)") from None
    return "\n\n".join(page.strip() for page in pages if page.strip())


def _open_pdf(filename: str, data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception:
        raise file_error(filename, "not a valid .pdf file") from None
    if reader.is_encrypted and not _unlocked(reader):
        raise file_error(filename, "the PDF is protected by a password; upload a copy without it")
    return reader


def _unlocked(reader: PdfReader) -> bool:
    # Many PDFs are encrypted with an empty password only to restrict printing or copying.
    try:
        return bool(reader.decrypt(""))
    except Exception:
        return False

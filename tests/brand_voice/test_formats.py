"""File parsers: every format read into posts or guide text, every problem named with its place."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import docx
import pytest

from brand_voice.formats import (
    MAX_FILE_BYTES,
    ParsedPost,
    PostFormat,
    detect_post_format,
    parse_guide,
    parse_posts,
)
from brand_voice.ingest import engagement_rate
from storage.enums import Platform
from storage.errors import ErrorCode, PostcraftError

FIXTURES = Path(__file__).parent / "fixtures"
YEKATERINBURG = timezone(timedelta(hours=5))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def problem(filename: str, data: bytes, platform: Platform | None = None) -> str:
    """The detail of the error that parsing the posts raises."""
    with pytest.raises(PostcraftError) as caught:
        parse_posts(filename, data, platform)
    assert caught.value.code is ErrorCode.INVALID_INPUT_FILE
    assert caught.value.detail.startswith(f"{filename}: ")
    return caught.value.detail


def guide_problem(filename: str, data: bytes) -> str:
    """The detail of the error that parsing the guide raises."""
    with pytest.raises(PostcraftError) as caught:
        parse_guide(filename, data)
    assert caught.value.code is ErrorCode.INVALID_INPUT_FILE
    assert caught.value.detail.startswith(f"{filename}: ")
    return caught.value.detail


# Telegram Desktop export.


def test_telegram_export_gives_the_channels_own_text_posts() -> None:
    posts = parse_posts("result.json", fixture("telegram_result.json"))
    # 1 is a service message, 3 a photo without a caption, 5 a forwarded post.
    assert [p.external_id for p in posts] == ["2", "4", "6"]
    assert {p.platform for p in posts} == {Platform.TELEGRAM}
    assert {p.author for p in posts} == {"Кофейная лаборатория"}
    assert {p.url for p in posts} == {None}
    first = posts[0]
    assert first.text == (
        "Новый лот: Колумбия Уила\n\nМытая обработка, высота 1800 м. В чашке — красное яблоко"
        " и карамель. Рецепт для V60 — на сайте.\n\n#колумбия #фильтр"
    )
    assert (first.comments, first.reposts, first.views) == (None, None, None)


def test_telegram_likes_are_the_sum_of_reactions_and_unknown_without_them() -> None:
    posts = {p.external_id: p for p in parse_posts("result.json", fixture("telegram_result.json"))}
    assert posts["2"].likes == 15
    assert posts["4"].likes is None
    assert posts["6"].likes == 10


def test_telegram_time_is_the_unix_time_else_the_local_date_read_as_utc() -> None:
    posts = {p.external_id: p for p in parse_posts("result.json", fixture("telegram_result.json"))}
    # "date" says 10:00 (the exporter's clock, Moscow); date_unixtime is the real instant.
    assert posts["2"].published_at == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert posts["6"].published_at == datetime(2026, 3, 6, 19, 45, tzinfo=UTC)
    assert posts["6"].text == (
        "Cupping on Saturday with @roaster_anna: three Kenyan lots. https://example.com/cupping"
    )


def test_telegram_export_of_a_group_or_for_another_platform_is_refused() -> None:
    export = json.loads(fixture("telegram_result.json"))
    group = json.dumps({**export, "type": "private_supergroup"}).encode()
    assert "not of a channel" in problem("result.json", group)
    detail = problem("result.json", fixture("telegram_result.json"), Platform.VK)
    assert "telegram export, but vk was chosen" in detail


def test_telegram_message_of_the_wrong_shape_is_named_by_its_path() -> None:
    export = json.loads(fixture("telegram_result.json"))
    export["messages"][3]["text"] = ["ok ", {"type": "bold"}]
    export["messages"][5]["date_unixtime"] = "yesterday"
    detail = problem("result.json", json.dumps(export).encode())
    assert "messages[3].text: must be a string" in detail
    assert "messages[5].date_unixtime: must be a unix time in seconds, got 'yesterday'" in detail


# VK wall.get.


def test_vk_wall_posts_with_counters_links_and_the_community_name() -> None:
    posts = parse_posts("wall.json", fixture("vk_wall.json"))
    assert [p.external_id for p in posts] == ["120", "118", "97"]  # 119 has no text
    pinned = posts[0]
    assert pinned.platform is Platform.VK
    assert pinned.url == "https://vk.com/wall-123456_120"
    assert pinned.author == "Кофейня «Тест»"
    assert (pinned.likes, pinned.comments, pinned.reposts, pinned.views) == (230, 14, 41, 9200)
    assert pinned.published_at == datetime(2026, 2, 20, 11, 0, tzinfo=YEKATERINBURG)
    assert pinned.text.startswith("Как заварить кофе в турке без горечи\n\n— 10 г кофе")


def test_vk_repost_keeps_only_the_reposters_own_words() -> None:
    repost = parse_posts("wall.json", fixture("vk_wall.json"))[1]
    assert repost.text == "Друзья из «Пекарни на углу» открыли вторую точку — поздравляем!"
    assert repost.reposts == 0


def test_vk_missing_counters_are_unknown_and_er_uses_the_known_ones() -> None:
    posts = parse_posts("wall.json", fixture("vk_wall.json"))
    assert posts[2].views is None
    assert posts[2].likes == 12
    pinned = posts[0]
    counters = (pinned.likes, pinned.comments, pinned.reposts, pinned.views)
    assert counters == (230, 14, 41, 9200)
    er = engagement_rate(*(count or 0 for count in counters))
    assert er == round((230 + 14 + 41) / 9200, 5)


def test_vk_response_without_wrapper_or_groups_has_no_author() -> None:
    wall = json.loads(fixture("vk_wall.json"))["response"]
    del wall["groups"]
    posts = parse_posts("wall.json", json.dumps(wall).encode())
    assert len(posts) == 3
    assert {p.author for p in posts} == {None}


def test_vk_api_error_is_quoted() -> None:
    data = b'{"error": {"error_code": 5, "error_msg": "User authorization failed"}}'
    detail = problem("wall.json", data)
    assert "VK API error" in detail
    assert "error 5: User authorization failed" in detail


def test_vk_item_of_the_wrong_shape_is_named_by_its_path() -> None:
    wall = json.loads(fixture("vk_wall.json"))
    wall["response"]["items"][3]["text"] = 42
    wall["response"]["items"][1]["likes"] = {"count": -1}
    detail = problem("wall.json", json.dumps(wall).encode())
    assert "response.items[3].text: must be a string" in detail
    assert "response.items[1].likes.count: must be 0 or more, got -1" in detail


# Documented CSV.


def test_documented_csv() -> None:
    posts = parse_posts("posts.csv", fixture("posts.csv"))
    assert len(posts) == 3  # the last row has no text
    ethiopia, close, sale = posts
    assert ethiopia.text == (
        'Эфиопия Иргачеффе, мытая обработка.\n\nВ чашке — жасмин, лимон и "чайное" тело.'
    )
    assert ethiopia == ParsedPost(
        platform=Platform.VK,
        text=ethiopia.text,
        published_at=datetime(2026, 3, 2, 10, 0, tzinfo=YEKATERINBURG),
        likes=214,
        comments=31,
        reposts=18,
        views=6900,
        url="https://vk.com/wall-123456_101",
        external_id="101",
        author="Кофейня «Тест»",
    )
    assert close.platform is Platform.LINKEDIN
    assert (close.likes, close.comments, close.reposts, close.views) == (184, None, 17, None)
    assert (close.url, close.external_id, close.author) == (None, None, None)
    assert sale.platform is Platform.X


def test_times_keep_their_offset_and_get_utc_without_one() -> None:
    _, close, sale = parse_posts("posts.csv", fixture("posts.csv"))
    assert close.published_at == datetime(2026, 3, 4, 9, 15, tzinfo=UTC)
    assert sale.published_at == datetime(2026, 3, 5, tzinfo=UTC)
    first = parse_posts("posts.csv", fixture("posts.csv"))[0].published_at
    assert first is not None
    assert first.utcoffset() == timedelta(hours=5)


def test_invisible_characters_are_stripped_from_posts() -> None:
    sale = parse_posts("posts.csv", fixture("posts.csv"))[2]
    assert "\u200b" in fixture("posts.csv").decode()
    assert "\u202e" in fixture("posts.csv").decode()
    assert sale.text == "Sale ends today"
    data = json.dumps([{"text": "a\u200bb\u202ec", "platform": "x", "author": "\u2066Rival"}])
    post = parse_posts("posts.json", data.encode())[0]
    assert (post.text, post.author) == ("abc", "Rival")


def test_semicolon_csv_from_excel_with_bom_and_one_platform_for_the_file() -> None:
    assert fixture("posts_semicolon.csv").startswith(b"\xef\xbb\xbf")
    posts = parse_posts("posts_semicolon.csv", fixture("posts_semicolon.csv"), Platform.VK)
    assert [p.platform for p in posts] == [Platform.VK, Platform.VK]
    assert posts[0].text == "Капучино на овсяном — без доплаты; до конца марта."
    assert (posts[0].likes, posts[0].views) == (1204, 6900)
    assert posts[1].published_at == datetime(2026, 3, 12, tzinfo=UTC)
    assert (posts[1].comments, posts[1].reposts, posts[1].views) == (None, None, None)


def test_platform_column_wins_over_the_files_platform() -> None:
    data = b"text,platform\na,telegram\nb,\n"
    posts = parse_posts("posts.csv", data, Platform.VK)
    assert [p.platform for p in posts] == [Platform.TELEGRAM, Platform.VK]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b'text,platform,likes\n"two\nlines",vk,1\nok,vk,many\n',
            "posts.csv: line 4: column 'likes' must be a whole number, got 'many'",
        ),
        (b"text,platform,views\nok,vk,-3\n", "line 2: column 'views' must be 0 or more, got '-3'"),
        (b"text,platform\nok,twitter\n", "line 2: column 'platform' must be one of vk, telegram"),
        (
            b"text,platform,published_at\nok,vk,2026-13-02\n",
            "line 2: column 'published_at' must be a date like 2026-03-02",
        ),
        (
            b"text,platform,url\nok,vk,javascript:alert(1)\n",
            "line 2: column 'url' must be a link starting with http:// or https://",
        ),
        (b"text,platform\nhello, world,vk\n", "line 2: 3 values but the header has 2 columns"),
        (b'text,platform\n"a "quoted" word",vk\n', "line 2: broken CSV"),
        (b'text,platform\nok,vk\n"never closed,vk\n', "line 3: broken CSV"),
        (b"text,platform\nok,\n", "line 2: column 'platform' is empty"),
        (b"text\nok\n", "no 'platform' column"),
        (b"text,platform,text\nok,vk,again\n", "column 'text' appears more than once"),
        (b"text,platform\n\n,vk\n", "posts.csv: no posts with text"),
        (
            b"date,title\n2026-03-02,hi\n",
            "posts.csv: missing column 'text' (found: date, title); expected columns: text"
            " (required; or message",
        ),
    ],
)
def test_csv_problems_name_the_line_and_column(data: bytes, expected: str) -> None:
    assert expected in problem("posts.csv", data)


def test_csv_reports_several_problems_at_once() -> None:
    rows = "".join(f"post {n},vk,{'x' * n}\n" for n in range(1, 9))
    detail = problem("posts.csv", f"text,platform,likes\n{rows}".encode())
    assert detail.count("must be a whole number") == 5
    assert "line 2: column 'likes'" in detail
    assert "line 6: column 'likes'" in detail
    assert detail.endswith("(and 3 more problems)")


def test_text_that_is_not_utf8_is_refused_with_the_place_and_the_fix() -> None:
    data = "text,platform\nпривет,vk\n".encode("cp1251")
    detail = problem("posts.csv", data)
    assert detail == (
        "posts.csv: not UTF-8 text (byte 0xef at position 14, line 2); save it as UTF-8"
    )
    assert "UTF-16" in problem("posts.csv", "text\n".encode("utf-16"))


# Documented JSON.


def test_documented_json_object_and_list() -> None:
    posts = parse_posts("posts.json", fixture("posts.json"))
    assert len(posts) == 2  # the third has only spaces
    assert posts[0].author == "Tallyforge"
    assert posts[0].published_at == datetime(2026, 3, 9, 13, 30, tzinfo=UTC)
    assert (posts[0].likes, posts[0].comments, posts[0].reposts, posts[0].views) == (
        184,
        41,
        17,
        11200,
    )
    assert posts[1].external_id == "512"
    assert posts[1].published_at == datetime(2026, 3, 10, tzinfo=UTC)
    assert (posts[1].comments, posts[1].views, posts[1].url) == (None, None, None)
    as_list = json.dumps(json.loads(fixture("posts.json"))["posts"]).encode()
    assert parse_posts("posts.json", as_list) == posts


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"posts": [{"text": "a", "platform": "x"}, {"text": "c", "likes": -3}]},
            "posts.json: posts[1].likes: must be 0 or more, got -3",
        ),
        ([{"text": "a", "platform": "vk"}, {"text": 5}], "[1].text: must be a string"),
        ([{"text": "a", "likes": "5"}], '[0].likes: must be a whole number, got "5"'),
        ([{"text": "a", "views": True}], "[0].views: must be a whole number, got true"),
        ([{"platform": "vk"}], "[0].text: required field is missing"),
        ([{"text": "a"}], "[0].platform: missing"),
        ([{"text": "a", "platform": "myspace"}], "[0].platform: must be one of vk"),
        ({"posts": {"text": "a"}}, "posts: must be a list"),
        ({"post": []}, 'a list of posts or {"posts": [...]}; got an object with keys post'),
        ([], "posts.json: no posts with text"),
    ],
)
def test_json_problems_name_the_path(data: object, expected: str) -> None:
    detail = problem("posts.json", json.dumps(data).encode())
    assert expected in detail


def test_broken_or_empty_json_names_the_place() -> None:
    broken = b'{"name": "C",\n "type": "public_channel",\n "messages": [{"id": 1 "type": 2}]}'
    assert problem("result.json", broken) == (
        "result.json: line 3, column 24: the JSON is cut off or broken (Expecting ',' delimiter)"
    )
    assert problem("result.json", b"") == "result.json: the file is empty"
    assert problem("result.json", b" \n ") == "result.json: the file is empty"
    assert problem("result.json", b'[{"text": "') == (
        "result.json: line 1, column 11: the JSON is cut off or broken"
        " (Unterminated string starting here)"
    )


# Detection, types and size.


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("telegram_result.json", PostFormat.TELEGRAM),
        ("vk_wall.json", PostFormat.VK),
        ("posts.json", PostFormat.JSON),
        ("posts.csv", PostFormat.CSV),
        ("posts_semicolon.csv", PostFormat.CSV),
    ],
)
def test_format_is_detected_from_name_and_content(name: str, expected: PostFormat) -> None:
    assert detect_post_format(name, fixture(name)) is expected


def test_vk_error_and_bare_items_are_detected_as_vk() -> None:
    assert detect_post_format("w.json", b'{"error": {"error_code": 15}}') is PostFormat.VK
    assert detect_post_format("w.json", b'{"count": 0, "items": []}') is PostFormat.VK
    assert detect_post_format("p.json", b'[{"text": "a"}]') is PostFormat.JSON


def test_explicit_format_overrides_the_extension() -> None:
    posts = parse_posts("export.txt", b"text,platform\nhi,ok\n", fmt=PostFormat.CSV)
    assert [(p.platform, p.text) for p in posts] == [(Platform.OK, "hi")]
    assert len(parse_posts("wall.txt", fixture("vk_wall.json"), fmt=PostFormat.VK)) == 3
    with pytest.raises(PostcraftError, match="got an object with keys response"):
        parse_posts("vk_wall.json", fixture("vk_wall.json"), fmt=PostFormat.JSON)


def test_unsupported_extensions_list_the_supported_ones() -> None:
    assert problem("posts.xlsx", b"PK\x03\x04") == (
        "posts.xlsx: unsupported file type (.xlsx); use .csv, .json"
    )
    with pytest.raises(PostcraftError, match=r"use \.csv, \.json"):
        detect_post_format("posts", b"text\n")
    detail = guide_problem("guide.doc", b"\xd0\xcf\x11\xe0")
    assert detail == (
        "guide.doc: unsupported file type (.doc); use .md, .markdown, .txt, .docx, .pdf"
    )


def test_files_over_the_size_limit_are_refused_before_parsing() -> None:
    big = b"text,platform\n" + b"a,vk\n" * (MAX_FILE_BYTES // 5)
    assert len(big) > MAX_FILE_BYTES
    assert "the limit is 20,971,520 bytes (20 MB)" in problem("posts.csv", big)
    assert "the limit is" in guide_problem("guide.md", big)
    with pytest.raises(PostcraftError, match="the limit is"):
        detect_post_format("posts.csv", big)


# Guides.


def test_markdown_guide_is_kept_as_is_without_invisible_characters() -> None:
    assert "\u200b" in fixture("guide.md").decode()
    assert parse_guide("guide.md", fixture("guide.md")) == (
        "# Голос бренда «Тест»\n\n## Тон\n- Обращаемся на «вы», тепло, без панибратства.\n"
        "- Short sentences, numbers over adjectives.\n\n## Слова\n**Никогда:** «дешёвый», «кофеёк»."
    )
    assert parse_guide("notes.TXT", "\ufeffПросто текст.\r\n".encode()) == "Просто текст."


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Голос бренда «Тест»", level=1)
    document.add_heading("Кто мы", level=2)
    document.add_paragraph("Мы — обжарщики, которые объясняют.")
    document.add_heading("Тон", level=2)
    document.add_paragraph("Обращаемся на «вы».", style="List Bullet")
    document.add_paragraph("Без капслока.", style="List Number")
    rule = document.add_paragraph()
    rule.add_run("Никогда: ").bold = True
    rule.add_run("«дешёвый», «кофеёк».")
    document.add_heading("Примеры", level=3)
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Да", "Нет"), ("лот", "кофеёк")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("")
    document.add_paragraph("Use: close, reconciliation.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_guide_keeps_headings_lists_bold_and_tables() -> None:
    assert parse_guide("guide.docx", make_docx()) == (
        "# Голос бренда «Тест»\n\n"
        "## Кто мы\n"
        "Мы — обжарщики, которые объясняют.\n\n"
        "## Тон\n"
        "- Обращаемся на «вы».\n"
        "- Без капслока.\n\n"
        "**Никогда:** «дешёвый», «кофеёк».\n\n"
        "### Примеры\n"
        "| Да | Нет |\n"
        "| лот | кофеёк |\n\n"
        "Use: close, reconciliation."
    )


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one Helvetica text stream per page, its lines one under another."""

    def literal(line: str) -> bytes:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("latin-1") + b") Tj"

    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", font]
    kids = []
    for lines in pages:
        stream = b"BT /F1 12 Tf 14 TL 72 720 Td " + b" T* ".join(map(literal, lines)) + b" ET"
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    return bytes(out + b"startxref\n%d\n%%%%EOF\n" % xref)


def test_pdf_guide_is_the_text_of_every_page() -> None:
    pdf = make_pdf([["Brand voice (short)", "Caf\u00e9 tone: warm, plain."], ["Page two."]])
    text = parse_guide("guide.pdf", pdf)
    assert text == "Brand voice (short)\nCafé tone: warm, plain.\n\nPage two."


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("guide.docx", b"PK\x03\x04 not really a zip", "guide.docx: not a valid .docx file"),
        ("guide.docx", b"plain text renamed", "guide.docx: not a valid .docx file"),
        ("guide.pdf", b"%PDF-1.4 nothing else", "guide.pdf: not a valid .pdf file"),
        ("guide.md", b"", "guide.md: the file is empty"),
        ("guide.md", b"\xe2\x80\x8b\n\xe2\x80\x8e", "guide.md: no text found"),
        ("guide.txt", "Тон".encode("cp1251"), "guide.txt: not UTF-8 text (byte 0xd2 at position 0"),
    ],
)
def test_guide_problems(filename: str, data: bytes, expected: str) -> None:
    assert guide_problem(filename, data).startswith(expected)


def test_pdf_without_text_and_docx_that_is_another_zip() -> None:
    assert "no text found (a scanned PDF" in guide_problem("scan.pdf", make_pdf([[]]))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not a document")
    assert guide_problem("guide.docx", zipped.getvalue()).startswith(
        "guide.docx: not a valid .docx file"
    )

"""Analytics exports: column aliases, ignored columns as warnings, and the dates exports write."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from brand_voice.formats import COLUMN_ALIASES, PostFile, read_posts
from brand_voice.formats_columns import FIELDS, normalised, resolve
from storage.enums import Platform
from storage.errors import ErrorCode, PostcraftError

MOSCOW = timezone(timedelta(hours=3))
FIXTURES = Path(__file__).parent / "fixtures"


def problem(filename: str, data: bytes, platform: Platform | None = Platform.VK) -> str:
    """The detail of the error that reading the posts raises."""
    with pytest.raises(PostcraftError) as caught:
        read_posts(filename, data, platform)
    assert caught.value.code is ErrorCode.INVALID_INPUT_FILE
    assert caught.value.detail.startswith(f"{filename}: ")
    return caught.value.detail


def csv_file(text: str, platform: Platform | None = Platform.VK) -> PostFile:
    return read_posts("export.csv", text.encode(), platform)


def json_file(doc: object, platform: Platform | None = Platform.VK) -> PostFile:
    return read_posts("export.json", json.dumps(doc, ensure_ascii=False).encode(), platform)


# The alias table.


def test_every_alias_belongs_to_one_documented_field() -> None:
    assert set(COLUMN_ALIASES) == set(FIELDS)
    aliases = [alias for names in COLUMN_ALIASES.values() for alias in names]
    assert len(aliases) == len(set(aliases)), "an alias may stand for one field only"
    assert not set(aliases) & set(FIELDS)
    assert all(normalised(alias) == alias for alias in aliases)


@pytest.mark.parametrize(
    ("field", "aliases"),
    [
        ("reposts", ["shares", "reposts_count", "retweets"]),
        ("views", ["impressions", "reach", "views_count", "plays"]),
        (
            "published_at",
            ["date", "created_at", "timestamp", "time", "posted_at", "publish_date"],
        ),
        ("text", ["message", "content", "caption", "post_text", "body", "description"]),
        ("url", ["link", "permalink", "post_url"]),
        ("likes", ["reactions", "likes_count", "favorites"]),
        ("comments", ["comments_count", "replies"]),
        ("id", ["post_id"]),
        ("platform", ["network", "social_network", "channel"]),
        ("author", ["competitor", "brand", "account", "source"]),
    ],
)
def test_the_common_export_names_are_aliases(field: str, aliases: list[str]) -> None:
    assert set(aliases) <= set(COLUMN_ALIASES[field])
    assert resolve(aliases[:1]).fields == [field]


# CSV.


@pytest.mark.parametrize("name", ["posts.csv", "posts_semicolon.csv", "posts.json"])
def test_documented_files_read_without_warnings(name: str) -> None:
    read = read_posts(name, (FIXTURES / name).read_bytes(), Platform.VK)
    assert read.posts
    assert read.warnings == []


def test_an_analytics_csv_maps_its_figures_to_the_fields() -> None:
    read = csv_file(
        "shares,impressions,date,message\n"
        '12,"6 900",2024-03-01 14:05,Новый лот из Эфиопии\n'
        "0,150,01.03.2024,Second post\n"
    )
    assert read.warnings == []
    first, second = read.posts
    assert (first.text, first.reposts, first.views) == ("Новый лот из Эфиопии", 12, 6900)
    assert first.published_at == datetime(2024, 3, 1, 14, 5, tzinfo=UTC)
    assert (first.likes, first.comments, first.platform) == (None, None, Platform.VK)
    assert (second.text, second.reposts, second.views) == ("Second post", 0, 150)
    assert second.published_at == datetime(2024, 3, 1, tzinfo=UTC)


def test_header_names_match_in_any_case_with_spaces_or_dashes() -> None:
    read = csv_file(
        "Post Text;Published At;likes-count;Social Network;Post_URL;POST ID;Comments Count\n"
        "Hello;2024-03-01T10:00:00+03:00;5;telegram;https://t.me/c/1;77;2\n",
        platform=None,
    )
    post = read.posts[0]
    assert (post.text, post.likes, post.comments) == ("Hello", 5, 2)
    assert post.platform is Platform.TELEGRAM
    assert (post.url, post.external_id) == ("https://t.me/c/1", "77")
    assert post.published_at == datetime(2024, 3, 1, 10, tzinfo=MOSCOW)
    assert read.warnings == []


def test_an_unknown_column_is_a_warning_and_the_rest_is_read() -> None:
    read = csv_file("text,lkes,likes,Campaign,lkes\nfirst,1,10,spring,1\nsecond,2,20,spring,2\n")
    assert [(p.text, p.likes) for p in read.posts] == [("first", 10), ("second", 20)]
    # Each ignored column is named once, however many rows or repeats it has.
    assert read.warnings == ["unknown column 'lkes' ignored", "unknown column 'Campaign' ignored"]


def test_the_documented_name_wins_over_its_alias_with_a_warning() -> None:
    read = csv_file("shares,text,reposts,Impressions\n3,hi,7,100\n")
    post = read.posts[0]
    assert (post.reposts, post.views) == (7, 100)
    assert read.warnings == ["column 'shares' ignored: 'reposts' is read as reposts"]


def test_of_two_aliases_the_one_listed_first_wins_wherever_it_stands() -> None:
    read = csv_file("reach,text,impressions\n50,hi,80\n")
    assert read.posts[0].views == 80
    assert read.warnings == ["column 'reach' ignored: 'impressions' is read as views"]


def test_a_bad_value_is_named_by_the_files_own_column() -> None:
    detail = problem("export.csv", b"message,shares\nhi,many\n")
    assert "line 2: column 'shares' must be a whole number, got 'many'" in detail


@pytest.mark.parametrize(
    "header",
    ["text,likes,Likes", "message,text,TEXT", "text,shares,Shares"],
)
def test_one_name_twice_is_still_an_error(header: str) -> None:
    data = f"{header}\n" + ",".join("1" for _ in header.split(",")) + "\n"
    assert "appears more than once in the header" in problem("export.csv", data.encode())


def test_a_file_with_no_text_column_names_the_columns_and_aliases() -> None:
    detail = problem("export.csv", b"Date,Title,Shares\n2024-03-01,hi,3\n")
    assert "missing column 'text' (found: Date, Title, Shares)" in detail
    assert "text (required; or message, content, caption, post_text, body, description" in detail
    assert "reposts (or shares, reposts_count" in detail
    assert "author (or competitor, brand, account, source" in detail


def test_no_platform_column_names_its_aliases() -> None:
    detail = problem("export.csv", b"message\nhi\n", platform=None)
    assert "no 'platform' column (or network, social_network, channel)" in detail


# JSON.


def test_json_fields_under_aliases_and_unknown_fields_warned_once() -> None:
    read = json_file(
        [
            {"message": "a", "Shares": 4, "Impressions": 90, "post_id": 7, "extra": 1},
            {"caption": "b", "reactions": 3, "created_at": "01.03.2024 14:05", "extra": 2},
        ]
    )
    first, second = read.posts
    assert (first.text, first.reposts, first.views, first.external_id) == ("a", 4, 90, "7")
    assert (second.text, second.likes) == ("b", 3)
    assert second.published_at == datetime(2024, 3, 1, 14, 5, tzinfo=UTC)
    assert read.warnings == ["unknown field 'extra' ignored"]


def test_json_canonical_field_wins_and_errors_name_the_files_key() -> None:
    read = json_file({"posts": [{"text": "a", "views": 5, "plays": 9}], "exported": "today"})
    assert read.posts[0].views == 5
    assert read.warnings == [
        "unknown field 'exported' ignored",
        "field 'plays' ignored: 'views' is read as views",
    ]
    data = json.dumps([{"text": "a"}, {"content": "b", "reactions": "5"}]).encode()
    assert '[1].reactions: must be a whole number, got "5"' in problem("export.json", data)


def test_json_without_text_names_the_aliases() -> None:
    detail = problem("export.json", json.dumps([{"title": "a"}]).encode())
    assert "[0].text: required field is missing (or one of message, content, caption" in detail


def test_json_timestamp_may_be_a_unix_time() -> None:
    post = json_file([{"text": "a", "timestamp": 1709294700}]).posts[0]
    assert post.published_at == datetime(2024, 3, 1, 12, 5, tzinfo=UTC)


# Dates.


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-01", datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01 14:05", datetime(2024, 3, 1, 14, 5, tzinfo=UTC)),
        ("2024-03-01T14:05:00+03:00", datetime(2024, 3, 1, 14, 5, tzinfo=MOSCOW)),
        ("2024-03-01T14:05:00Z", datetime(2024, 3, 1, 14, 5, tzinfo=UTC)),
        ("01.03.2024", datetime(2024, 3, 1, tzinfo=UTC)),
        ("1.3.2024 9:05", datetime(2024, 3, 1, 9, 5, tzinfo=UTC)),
        ("01.03.2024 14:05:30", datetime(2024, 3, 1, 14, 5, 30, tzinfo=UTC)),
        # Slashes are month first, as English-locale exports write them.
        ("03/01/2024", datetime(2024, 3, 1, tzinfo=UTC)),
        ("03/13/2024 14:05", datetime(2024, 3, 13, 14, 5, tzinfo=UTC)),
    ],
)
def test_the_dates_exports_write(raw: str, expected: datetime) -> None:
    published = csv_file(f"text,date\nhi,{raw}\n").posts[0].published_at
    assert published == expected
    assert published is not None
    assert published.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "13/03/2024",
            "column 'date' is read as month/day/year (MM/DD/YYYY), and there is no month 13;"
            " write the date as 2024-03-13; got '13/03/2024'",
        ),
        ("31.02.2024", "column 'date' must be a date like 2026-03-02, 2026-03-02 10:00"),
        ("yesterday", "column 'date' must be a date like"),
        ("01.03.24", "got '01.03.24'"),
    ],
)
def test_dates_that_cannot_be_read_are_refused(raw: str, expected: str) -> None:
    assert expected in problem("export.csv", f"text,date\nhi,{raw}\n".encode())

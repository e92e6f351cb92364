"""Posting slots from the brand's own history: the weekdays and hours at which its past posts
on a platform drew the best engagement (among the weekday sets that keep the gap rule), with
the figures that chose them. A platform with too
little history gets even defaults, and says so."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import combinations, pairwise
from statistics import fmean
from zoneinfo import ZoneInfo

from generators.plans.rules import gap_limit
from storage.enums import Platform

MIN_POSTS = 2  # a weekday or an hour needs this many past posts to be ranked
EVEN_DAYS = {  # posts a week -> weekdays, when history cannot say
    1: (3,),
    2: (2, 4),
    3: (1, 3, 5),
    4: (1, 2, 4, 5),
    5: (1, 2, 3, 4, 5),
    6: (1, 2, 3, 4, 5, 6),
}
DEFAULT_TIMES = (time(10, 0), time(19, 0))


@dataclass(frozen=True)
class PastPost:
    """One of the brand's published posts: where, when, and how it did."""

    platform: Platform
    published_at: datetime
    interactions: int
    engagement_rate: float | None  # None when its views are unknown


@dataclass(frozen=True)
class SlotFigure:
    """How the brand's posts did in one weekday or one hour."""

    slot: str  # "Tue" or "19:00"
    posts: int
    engagement: float


@dataclass(frozen=True)
class SlotChoice:
    """The slots chosen for a platform and why."""

    platform: Platform
    days: tuple[int, ...]
    times: tuple[time, ...]
    measure: str  # "engagement rate", "interactions" or "none"
    figures: tuple[SlotFigure, ...]  # the ranked weekdays, then the ranked hours

    @property
    def from_history(self) -> bool:
        """False when the defaults were used."""
        return self.measure != "none"


_DAY = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


def best_slots(
    posts: Sequence[PastPost], platform: Platform, tz: ZoneInfo, posts_per_week: int, times: int = 1
) -> SlotChoice:
    """The `posts_per_week` best weekdays (all seven at 7 a week or more) and the `times` best
    hours for `platform`, from the posts published there."""
    mine = [p for p in posts if p.platform is platform]
    with_views = [p for p in mine if p.engagement_rate is not None]
    use_rate = bool(with_views) and len(with_views) * 2 >= len(mine)
    chosen = with_views if use_rate else mine
    measure = "engagement rate" if use_rate else "interactions"

    def score(post: PastPost) -> float:
        if use_rate:
            return post.engagement_rate or 0.0
        return float(post.interactions)

    by_day: dict[int, list[float]] = defaultdict(list)
    by_hour: dict[int, list[float]] = defaultdict(list)
    for post in chosen:
        local = post.published_at.astimezone(tz)
        by_day[local.isoweekday()].append(score(post))
        by_hour[local.hour].append(score(post))
    day_rank = _ranked(by_day)
    hour_rank = _ranked(by_hour)
    want_days = min(7, posts_per_week)
    if len(day_rank) < want_days or not hour_rank:
        days = tuple(range(1, 8)) if want_days >= 7 else EVEN_DAYS[want_days]
        return SlotChoice(platform, days, DEFAULT_TIMES[:times], "none", ())
    days = _spread_days(day_rank, want_days)
    hours = tuple(time(h) for h, _, _ in hour_rank[:times])
    figures = [SlotFigure(_DAY[d], n, round(m, 5)) for d, n, m in day_rank]
    figures += [SlotFigure(f"{h:02d}:00", n, round(m, 5)) for h, n, m in hour_rank]
    return SlotChoice(platform, days, hours, measure, tuple(figures))


def _spread_days(day_rank: list[tuple[int, int, float]], want: int) -> tuple[int, ...]:
    """The `want` weekdays of the best total engagement whose cadence keeps the gap rule
    (rules.gap_limit): the best days alone may be Mon, Tue and Wed, which leaves five days
    without a post."""
    if want >= 7:
        return tuple(range(1, 8))
    score = {d: m for d, _, m in day_rank}
    limit_days = gap_limit(timedelta(days=7) / want) / timedelta(days=1)
    best: tuple[float, tuple[int, ...]] | None = None
    for days in combinations(range(1, 8), want):
        gaps = [b - a for a, b in pairwise(days)] + [days[0] + 7 - days[-1]]
        if max(gaps) > limit_days:
            continue
        total = sum(score.get(d, 0.0) for d in days)
        if best is None or total > best[0]:
            best = (total, days)
    return best[1] if best else EVEN_DAYS[want]


def _ranked(groups: dict[int, list[float]]) -> list[tuple[int, int, float]]:
    """(key, posts, mean) for groups with enough posts, best mean first (ties: more posts)."""
    rows = [(k, len(v), fmean(v)) for k, v in groups.items() if len(v) >= MIN_POSTS]
    return sorted(rows, key=lambda r: (-r[2], -r[1], r[0]))

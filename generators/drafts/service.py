"""Post drafts: retrieve brand context, prompt the LLM, pass every post through the gate."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations

from brand_voice.profile import BrandProfile
from generators.compliance.checks import validate
from generators.compliance.context import PostContext
from generators.compliance.counting import fits, split_thread
from generators.compliance.repair import repair_post, sanitize
from generators.compliance.report import Severity, ValidationReport, Violation
from generators.compliance.rulebook import Rulebook
from generators.drafts.edits import first_version, post_of
from generators.drafts.gate import draft_context, draft_grounding
from generators.drafts.prompting import SharedPrefix, build_prompt, draft_facts, shared_prefix
from generators.drafts.schemas import DraftRequest, PostDraft, post_text
from generators.llm.port import LLM, Completion, Prompt
from prompts.render import render
from retrieval.context import BrandContext, ContextRequest, retrieve_context
from retrieval.store import VectorStore
from storage.enums import Platform
from storage.models import Brand, Draft, DraftVersion, new_id, utcnow

SIBLING_LIMIT = 0.85  # share of identical text above which two variants count as the same
SIBLING_PREFIX = 2000  # compared on what readers see first: the ratio is quadratic in length


@dataclass(frozen=True)
class DraftOutcome:
    """The drafts of one job with their first versions (not yet stored), every completion
    that went into them (a second try counts), and how much of the platforms' first-try prompts
    a provider's prefix cache shares (None for a one-platform job)."""

    drafts: list[Draft]
    versions: list[DraftVersion]
    completions: list[Completion[PostDraft]]
    shared_prefix: SharedPrefix | None = None


@dataclass(frozen=True)
class Checked:
    """A post after the compliance gate: validation and, where needed, one more try and
    deterministic repair."""

    post: PostDraft
    report: ValidationReport
    repairs: list[str]
    completions: list[Completion[PostDraft]]
    thread: list[str]


def write_drafts(
    llm: LLM,
    store: VectorStore,
    rulebook: Rulebook,
    brand: Brand,
    request: DraftRequest,
    job_id: str,
    budget: int,
    rivals: tuple[str, ...] = (),
    concurrency: int = 1,
    *,
    guidance: tuple[str, ...] = (),
) -> DraftOutcome:
    """One draft per requested platform, each grounded in the brand's retrieved knowledge
    (`rivals`: the names of all the brand's competitors, none of which a post may name;
    `guidance`: the managers' latest notes from rejections and send-backs). The
    platforms' calls run at once, `concurrency` at a time: a job takes about one model call."""
    prepared = prepare_calls(store, rulebook, brand, request, job_id, budget, rivals, guidance)
    calls = prepared.calls
    checked = _write_all(llm, calls, concurrency)
    completions = [c for one in checked for c in one.completions]
    drafts = [
        _draft_row(brand, request, platform, one, prepared.context, job_id)
        for platform, one in zip(request.platforms, checked, strict=True)
    ]
    flag_similar_siblings(drafts)
    shared = shared_prefix([prompt for prompt, _ in calls], llm.model)
    return DraftOutcome(drafts, [first_version(d) for d in drafts], completions, shared)


@dataclass(frozen=True)
class Prepared:
    """A draft request's retrieved context and its prompt and checks per platform (in the
    request's order)."""

    context: BrandContext
    calls: list[tuple[Prompt, PostContext]]


def prepare_calls(
    store: VectorStore,
    rulebook: Rulebook,
    brand: Brand,
    request: DraftRequest,
    job_id: str,
    budget: int,
    rivals: tuple[str, ...],
    guidance: tuple[str, ...],
) -> Prepared:
    """Retrieve the brand's context for the request and build each platform's prompt and
    compliance context (`job_id` seeds the offline composer's phrasing)."""
    profile = BrandProfile.model_validate(brand.profile)
    query = f"{request.topic}\n{request.brief}".strip()
    rubric = request.rubric.value if request.rubric else None
    context = retrieve_context(store, brand.id, ContextRequest(query, rubric=rubric), budget)
    sources = [(item.kind, item.competitor or item.source, item.text) for item in context.items()]
    grounding = draft_grounding(profile, request, sources, rivals)
    calls: list[tuple[Prompt, PostContext]] = []
    for platform in request.platforms:
        ctx = draft_context(rulebook, profile, request, platform, grounding)
        facts = draft_facts(
            brand,
            profile,
            request,
            platform,
            ctx.rules,
            context,
            ctx.ad_label,
            ctx.limit,
            job_id,
            guidance,
        )
        calls.append((build_prompt(facts, profile, ctx.rules), ctx))
    return Prepared(context, calls)


def flag_similar_siblings(drafts: list[Draft]) -> None:
    """Variants of one post must differ (X forbids the same text on several accounts): a pair
    that reads nearly the same gets a warning on both."""
    texts = [post_text(post_of(d)).casefold()[:SIBLING_PREFIX] for d in drafts]
    for i, j in combinations(range(len(drafts)), 2):
        ratio = SequenceMatcher(None, texts[i], texts[j], autojunk=False).ratio()
        if ratio >= SIBLING_LIMIT:
            for a, b in ((i, j), (j, i)):
                report = ValidationReport.model_validate(drafts[a].validation)
                report.violations.append(
                    Violation(
                        code="too_similar",
                        severity=Severity.WARNING,
                        message=f"{ratio:.0%} the same as the {drafts[b].platform.value} "
                        "variant: rewrite one of them",
                    )
                )
                drafts[a].validation = report.model_dump(mode="json")


def _write_all(
    llm: LLM, calls: list[tuple[Prompt, PostContext]], concurrency: int
) -> list[Checked]:
    """`write_checked` for every call, `concurrency` at a time, in the calls' order; the first
    failure (in that order) is raised, and calls not yet started are cancelled."""
    if concurrency <= 1 or len(calls) <= 1:
        return [write_checked(llm, prompt, ctx) for prompt, ctx in calls]
    pool = ThreadPoolExecutor(max_workers=min(concurrency, len(calls)), thread_name_prefix="llm")
    try:
        futures = [pool.submit(write_checked, llm, prompt, ctx) for prompt, ctx in calls]
        return [future.result() for future in futures]
    finally:
        # On a failure or a time limit, do not wait for the calls still queued.
        pool.shutdown(wait=False, cancel_futures=True)


def write_checked(llm: LLM, prompt: Prompt, ctx: PostContext) -> Checked:
    """Write and check; on an error only a rewrite fixes, ask the LLM once more with the list
    of errors; then repair deterministically; whatever still fails stays flagged in the
    report."""
    calls = [llm.complete(prompt, PostDraft)]
    cleaned = sanitize(calls[0].output, ctx)
    post, repairs = cleaned.draft, list(cleaned.changes)
    report = validate(post, ctx)
    if report.needs_rewriting() and llm.can_revise:
        retry = render(
            "draft_retry.j2",
            original=prompt.user,
            problems=[v.message for v in report.errors()],
            previous=post.model_dump_json(),
        )
        calls.append(llm.complete(Prompt(prompt.system, retry, prompt.facts), PostDraft))
        cleaned = sanitize(calls[-1].output, ctx)
        post, repairs = cleaned.draft, list(cleaned.changes)
        report = validate(post, ctx)
    thread: list[str] = []
    if not report.passed:
        if ctx.rules.threads and not fits(post_text(post), ctx.rules):
            thread = split_thread(post_text(post), ctx.rules)
        repaired = repair_post(post, ctx)
        post, repairs = repaired.draft, [*repairs, *repaired.changes]
        report = validate(post, ctx)
    return Checked(post, report, list(dict.fromkeys(repairs)), calls, thread)


def draft_sources_of(context: BrandContext) -> list[dict[str, object]]:
    """What a draft records of the context it was written from."""
    return [
        {"id": i.id, "kind": i.kind.value, "source": i.source, "similarity": i.similarity}
        for i in context.items()
    ]


def _draft_row(
    brand: Brand,
    request: DraftRequest,
    platform: Platform,
    checked: Checked,
    context: BrandContext,
    job_id: str,
) -> Draft:
    post = checked.post
    completion = checked.completions[-1]
    return Draft(
        id=new_id(),
        job_id=job_id,
        brand_id=brand.id,
        platform=platform,
        language=request.language or BrandProfile.model_validate(brand.profile).language,
        headline=post.headline.strip(),
        body=post.body.strip(),
        call_to_action=post.call_to_action.strip(),
        hashtags=list(post.hashtags),
        sources=draft_sources_of(context),
        generator=completion.generator,
        model=completion.model,
        validation=checked.report.model_dump(mode="json"),
        repairs=checked.repairs,
        image_brief=post.image_brief.strip() if request.image else "",
        thread=checked.thread,
        created_at=utcnow(),
    )

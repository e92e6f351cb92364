"""The Postcraft extension, loaded unpacked in headless chromium: its options page keeps the token
in session storage; on each of the seven sites' fixture pages it adds one control per comment,
sends the comment with its author, post and thread to the (stub) API from the service worker,
and shows the suggestions with copy buttons, or the escalation warning, or the flag. Plus the
static rules: no markup sinks, no eval, no host permission beyond the seven sites."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.extension.conftest import BRAND, TOKEN, Api, options_page, save_settings
from tests.extension.harness import EXTENSION, SITES, Site, extension_id, manifest
from tests.web.browser import screenshot_dir

ESCALATE_BACKGROUND = "rgb(255, 235, 233)"  # .postcraft-escalate in content.js
FLAG_BACKGROUND = "rgb(234, 238, 242)"  # .postcraft-flag
XSS = "<img src=x onerror=alert(1)>"
SPAM = "Казино без вложений, заработок от 5000 в день: https://spam.example"
CRISIS_RU = "Я отравился вашим кофе, подаю в суд"
CRISIS_EN = "Your coffee made me sick, I'm suing you"


@dataclass(frozen=True)
class Fixture:
    """What a site's fixture page holds, as the API should receive it."""

    post: str
    question: str
    question_author: str
    crisis: str
    crisis_author: str
    crisis_thread: tuple[str, ...] = ()


EXPECTED = {
    "vk": Fixture(
        post="Новый сезонный раф с тыквой уже в меню!\nПриходите пробовать.",
        question="А есть вариант на овсяном молоке?",
        question_author="Анна Смирнова",
        crisis=CRISIS_RU,
        crisis_author="Виктор Ким",
        crisis_thread=("Обожаю ваш раф, лучший в городе! ☕",),
    ),
    "telegram": Fixture(
        post="Открываем вторую кофейню на Садовой в субботу!",
        question="Во сколько открытие в субботу?",
        question_author="Анна Смирнова",
        crisis=CRISIS_RU,
        crisis_author="Виктор Ким",
        crisis_thread=("Во сколько открытие в субботу?",),
    ),
    "ok": Fixture(
        post="Дарим скидку 20% на всё меню до конца недели.",
        question="Скидка действует на зерно навынос?",
        question_author="Анна Смирнова",
        crisis=CRISIS_RU,
        crisis_author="Виктор Ким",
        crisis_thread=("Скидка действует на зерно навынос?",),
    ),
    "instagram": Fixture(
        post="Pumpkin spice latte is back this week!",
        question="Is it available with oat milk?",
        question_author="anna.s",
        crisis=CRISIS_EN,
        crisis_author="victor.k",
        crisis_thread=("Love it, thanks! Best coffee in town",),
    ),
    "facebook": Fixture(
        post="Our second café opens on Saturday.",
        question="What time do you open on Saturday?",
        question_author="Anna Smith",
        crisis=CRISIS_EN,
        crisis_author="Victor Kim",
        crisis_thread=("Thanks, love your flat white!",),
    ),
    "x": Fixture(
        post="Cold brew season starts today 🧊",
        question="Do you sell it in bottles?",
        question_author="Anna Smith",
        crisis=CRISIS_EN,
        crisis_author="Victor Kim",
    ),
    "linkedin": Fixture(
        post="We are hiring baristas for our new café.",
        question="Is the position full-time?",
        question_author="Anna Smith",
        crisis=CRISIS_EN,
        crisis_author="Victor Kim",
        crisis_thread=("Great team, thanks for the coffee!",),
    ),
}


def open_site(context: BrowserContext, site: Site, comments: int = 3) -> tuple[Page, Locator]:
    """The site's fixture page once the extension has added a control to each comment."""
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.goto(site.url)
    roots = page.locator(".postcraft-root")
    expect(roots).to_have_count(comments)
    expect(page.locator(".postcraft-control")).to_have_count(comments)
    return page, roots


def background(locator: Locator) -> str:
    value = locator.evaluate("el => getComputedStyle(el).backgroundColor")
    assert isinstance(value, str)
    return value


def assert_sent_by_the_extension(
    api: Api, site: Site, comment: str, ext_id: str
) -> dict[str, object]:
    """The one reply request for this comment: from the extension's origin, with the token;
    its body."""
    posts = api.stub.posts_for(site.name, comment)
    assert len(posts) == 1, posts
    request = posts[0]
    assert request.path == f"/v1/brands/{BRAND}/replies"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["origin"] == f"chrome-extension://{ext_id}"
    assert request.headers["content-type"].startswith("application/json")
    assert "cookie" not in request.headers
    body = request.json()
    assert isinstance(body, dict)
    return body


def test_the_extension_loads_with_its_fixed_id(chrome: BrowserContext, ext_id: str) -> None:
    readme = (EXTENSION / "README.md").read_text("utf-8")
    assert ext_id in readme
    assert f"POSTCRAFT_EXTENSION_ORIGINS=chrome-extension://{ext_id}" in readme
    worker = chrome.service_workers[0]
    assert worker.url.startswith(f"chrome-extension://{ext_id}/")


def test_the_options_page_keeps_the_token_in_session_storage_only(
    configured: BrowserContext, ext_id: str, api: Api
) -> None:
    page = options_page(configured, ext_id)
    expect(page.locator("#origin")).to_have_text(f"chrome-extension://{ext_id}")
    expect(page.locator("#api-url")).to_have_value(api.url)  # the trailing slash is dropped
    expect(page.locator("#brand-id")).to_have_value(BRAND)
    expect(page.locator("#token")).to_have_value("")
    expect(page.locator("#token")).to_have_attribute("placeholder", re.compile("token is set"))
    stored = page.evaluate(
        """async () => ({
            session: await chrome.storage.session.get(null),
            local: await chrome.storage.local.get(null),
        })"""
    )
    assert stored == {"session": {"token": TOKEN}, "local": {"apiUrl": api.url, "brandId": BRAND}}

    for bad, words in [
        ("ftp://files.example.com", "https://"),
        ("javascript:alert(1)", "https://"),
        ("postcraft.example.com", "not a URL"),
        ("https://user:secret@postcraft.example.com", "user name"),
    ]:
        page.fill("#api-url", bad)
        page.click("#save")
        expect(page.locator("#status")).to_have_attribute("data-kind", "error")
        expect(page.locator("#status")).to_contain_text(words)
    page.fill("#api-url", api.url)
    page.fill("#brand-id", "")
    page.click("#save")
    expect(page.locator("#status")).to_contain_text("brand")
    after = page.evaluate("async () => await chrome.storage.local.get(null)")
    assert after == {"apiUrl": api.url, "brandId": BRAND}  # nothing invalid was saved
    page.close()


@pytest.mark.parametrize("site", SITES, ids=[site.name for site in SITES])
def test_suggestions_and_an_escalation_on_each_site(
    configured: BrowserContext, api: Api, ext_id: str, site: Site
) -> None:
    expected = EXPECTED[site.name]
    page, roots = open_site(configured, site)

    question = roots.nth(0)
    question.locator(".postcraft-control").click()
    replies = question.locator(".postcraft-reply")
    expect(replies).to_have_count(2, timeout=15_000)  # the stub answered 202, then the polls
    expect(question.locator(".postcraft-label")).to_have_text(re.compile(r"^question · (ru|en)$"))
    expect(question.locator(".postcraft-copy")).to_have_count(2)
    for text in question.locator(".postcraft-reply-text").all_text_contents():
        assert expected.question in text
    body = assert_sent_by_the_extension(api, site, expected.question, ext_id)
    assert body == {
        "platform": site.name,
        "comment": expected.question,
        "author": expected.question_author,
        "post": expected.post,
        "thread": [],
    }
    preflights = api.stub.received("OPTIONS", f"/v1/brands/{BRAND}/replies")
    assert preflights, "the browser sent no CORS preflight"
    assert {r.headers["origin"] for r in preflights} == {f"chrome-extension://{ext_id}"}
    polls = api.stub.polls_for(site.name, expected.question)
    assert len(polls) == 2  # "running", then "succeeded"
    for poll in polls:
        assert poll.headers["authorization"] == f"Bearer {TOKEN}"
        assert poll.headers["origin"] == f"chrome-extension://{ext_id}"

    crisis = roots.nth(2)
    crisis.locator(".postcraft-control").click()
    warning = crisis.locator(".postcraft-escalate")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Do not reply.")
    expect(warning).to_contain_text("Hand it to the PR lead (Мария, +7 900 000-00-00).")
    expect(warning).to_contain_text("A health complaint with a threat to sue.")
    expect(crisis.locator(".postcraft-label")).to_have_text(re.compile("^crisis"))
    expect(crisis.locator(".postcraft-reply")).to_have_count(0)
    assert background(warning) == ESCALATE_BACKGROUND  # styled despite the page's strict CSP
    body = assert_sent_by_the_extension(api, site, expected.crisis, ext_id)
    assert body == {
        "platform": site.name,
        "comment": expected.crisis,
        "author": expected.crisis_author,
        "post": expected.post,
        "thread": list(expected.crisis_thread),
    }

    expect(page.locator(".postcraft-panel img")).to_have_count(0)
    expect(roots).to_have_count(3)  # rendering the panels added no controls
    if site.name == "vk":
        page.screenshot(path=str(screenshot_dir() / "extension-vk.png"), full_page=True)
    page.close()


def test_copy_puts_the_reply_on_the_clipboard(configured: BrowserContext, api: Api) -> None:
    site = SITES[0]
    configured.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=f"https://{site.host}"
    )
    page, roots = open_site(configured, site)
    question = roots.nth(0)
    question.locator(".postcraft-control").click()
    first = question.locator(".postcraft-reply").first
    expect(first).to_be_visible()
    text = first.locator(".postcraft-reply-text").text_content()
    first.locator(".postcraft-copy").click()
    expect(first.locator(".postcraft-copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == text
    page.close()


def test_comments_added_later_get_controls_and_page_markup_stays_text(
    configured: BrowserContext, api: Api
) -> None:
    site = SITES[0]
    page, roots = open_site(configured, site)
    page.evaluate(
        """([xss, spam]) => {
            const list = document.querySelector(".replies_list");
            const model = list.querySelector(".reply");
            for (const [i, text] of [xss, spam].entries()) {
                const comment = model.cloneNode(true);
                comment.querySelectorAll(".postcraft-root, .replies_wrap_deep")
                    .forEach((el) => el.remove());
                comment.id = `post-1_20${i}`;
                comment.querySelector(".author").textContent = `Гость ${i}`;
                comment.querySelector(".wall_reply_text").textContent = text;
                list.append(comment);
            }
        }""",
        [XSS, SPAM],
    )
    expect(roots).to_have_count(5)  # the MutationObserver found both

    xss = page.locator("#post-1_200 .postcraft-root")
    xss.locator(".postcraft-control").click()
    expect(xss.locator(".postcraft-reply")).to_have_count(2)
    for text in xss.locator(".postcraft-reply-text").all_text_contents():
        assert XSS in text
    expect(xss.locator("img")).to_have_count(0)
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    body = api.stub.posts_for("vk", XSS)[0].json()
    assert body["author"] == "Гость 0"
    assert body["post"] == EXPECTED["vk"].post

    spam = page.locator("#post-1_201 .postcraft-root")
    spam.locator(".postcraft-control").click()
    flag = spam.locator(".postcraft-flag")
    expect(flag).to_be_visible()
    expect(flag).to_contain_text("Do not answer; flag it.")
    expect(flag).to_contain_text("Looks like spam")
    assert background(flag) == FLAG_BACKGROUND

    # The page's CSP blocks a <style> of its own: the panels' styles above came through only
    # because the content script inserted them.
    own_style = page.evaluate(
        """() => {
            const style = document.createElement("style");
            style.textContent = ".csp-probe { color: rgb(1, 2, 3); }";
            document.head.append(style);
            const probe = document.createElement("div");
            probe.className = "csp-probe";
            document.body.append(probe);
            return getComputedStyle(probe).color;
        }"""
    )
    assert own_style != "rgb(1, 2, 3)"

    page.evaluate("document.body.append(document.createElement('div'))")
    page.wait_for_timeout(600)  # past the observer's debounce
    expect(roots).to_have_count(5)  # idempotent
    page.close()


def test_a_missing_or_wrong_token_says_what_to_do(
    configured: BrowserContext, api: Api, ext_id: str
) -> None:
    site = next(site for site in SITES if site.name == "x")
    settings = options_page(configured, ext_id)
    try:
        settings.click("#forget")
        expect(settings.locator("#status")).to_contain_text("forgotten")
        page, roots = open_site(configured, site)
        praise = roots.nth(1)
        praise.locator(".postcraft-control").click()
        expect(praise.locator(".postcraft-error")).to_contain_text(
            "No token for this browser session"
        )
        before = len(api.stub.received("POST"))

        save_settings(settings, api.url, "pc_wrong", BRAND)
        expect(settings.locator("#status")).to_have_attribute("data-kind", "ok")
        praise.locator(".postcraft-control").click()
        error = praise.locator(".postcraft-error")
        expect(error).to_contain_text("The API key is missing, revoked or wrong.")
        expect(error).to_contain_text("Check the token in the extension's options.")
        assert len(api.stub.received("POST")) == before + 1
        page.close()
    finally:
        save_settings(settings, api.url, TOKEN, BRAND)
        expect(settings.locator("#status")).to_have_attribute("data-kind", "ok")
        settings.close()


def test_the_stub_admits_only_the_extension_origin(api: Api, ext_id: str) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    path = f"{api.url}/v1/brands/{BRAND}/replies"
    with httpx.Client() as client:
        ours = client.options(path, headers={**preflight, "Origin": f"chrome-extension://{ext_id}"})
        theirs = client.options(path, headers={**preflight, "Origin": "https://vk.com"})
    assert ours.status_code == 200
    assert ours.headers["access-control-allow-origin"] == f"chrome-extension://{ext_id}"
    assert theirs.status_code == 400
    assert "access-control-allow-origin" not in theirs.headers


# ---- static rules -----------------------------------------------------------------------------

FORBIDDEN = (
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "eval(",
    "new Function",
    "document.write",
)


def extension_files() -> list[Path]:
    return sorted(path for path in EXTENSION.rglob("*") if path.is_file())


def test_no_markup_sinks_or_eval_anywhere_in_the_extension() -> None:
    files = extension_files()
    assert {p.relative_to(EXTENSION).as_posix() for p in files} >= {
        "manifest.json",
        "background.js",
        "content.js",
        "options.html",
        "options.js",
        "README.md",
        *(f"sites/{site.name}.js" for site in SITES),
    }
    for path in files:
        text = path.read_text("utf-8")
        for word in FORBIDDEN:
            assert word not in text, f"{word} in {path}"
        assert "PRIVATE KEY" not in text, path


def test_the_token_stays_in_the_service_worker() -> None:
    for path in [EXTENSION / "content.js", *(EXTENSION / "sites").glob("*.js")]:
        assert "chrome.storage" not in path.read_text("utf-8"), path
    assert "setAccessLevel" not in (EXTENSION / "background.js").read_text("utf-8")
    html = (EXTENSION / "options.html").read_text("utf-8")
    assert re.findall(r"<script[^>]*>", html) == ['<script src="options.js">']


def test_the_manifest_asks_for_the_seven_sites_and_storage_only() -> None:
    data = manifest()
    text = json.dumps(data)
    assert "<all_urls>" not in text
    assert "*://*." not in text
    assert data["manifest_version"] == 3
    assert data["permissions"] == ["storage"]
    assert "optional_permissions" not in data
    assert "optional_host_permissions" not in data
    assert "web_accessible_resources" not in data
    assert "externally_connectable" not in data
    hosts = data["host_permissions"]
    assert isinstance(hosts, list)
    assert sorted(hosts) == sorted(site.pattern for site in SITES)
    assert len(hosts) == len(set(hosts)) == 7
    scripts = data["content_scripts"]
    assert isinstance(scripts, list)
    assert [entry["matches"] for entry in scripts] == [[site.pattern] for site in SITES]
    assert [entry["js"] for entry in scripts] == [
        [f"sites/{site.name}.js", "content.js"] for site in SITES
    ]
    key = data["key"]
    assert isinstance(key, str)
    assert re.fullmatch(r"[a-p]{32}", extension_id(key))

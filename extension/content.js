/* Postcraft content-script core, shared by every site.
 *
 * The site file loaded before this one (extension/sites/<site>.js) pushes one object onto
 * globalThis.PostcraftSites:
 *   {name, hosts, commentSelector, textOf(el, kit), authorOf(el, kit), postOf(el, kit),
 *    threadOf(el, kit), anchorOf(el, kit), accept?(el, kit)}
 * The core finds the comments (also those added later: a debounced MutationObserver), adds one
 * "Suggest reply" control per comment right after anchorOf(el), sends the comment to the service
 * worker on a click and renders the answer under it.
 *
 * Everything from the page or the API is inserted as text (textContent / text nodes), never as
 * markup. A site function that throws (its markup changed) only costs that site its controls.
 */
(() => {
  "use strict";

  if (globalThis.__postcraftCore) return;
  globalThis.__postcraftCore = true;

  const sites = Array.isArray(globalThis.PostcraftSites) ? globalThis.PostcraftSites : [];
  const site =
    sites.find((s) => Array.isArray(s.hosts) && s.hosts.includes(location.hostname)) || sites[0];
  if (!site || typeof site.commentSelector !== "string") return;

  const LIMITS = { comment: 4000, author: 200, post: 8000, threadItems: 5, threadItem: 2000 };
  const DEBOUNCE_MS = 250;
  const MAX_WAIT_MS = 1000;
  const SKIP = "script, style, noscript, template, svg, .postcraft-root";
  const BLOCKS = new Set([
    "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DIV", "DL", "DT", "FIGCAPTION", "FIGURE",
    "FOOTER", "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "LI", "OL", "P", "PRE", "SECTION",
    "TABLE", "TR", "UL",
  ]);

  // ---- reading the page -------------------------------------------------------------------

  /** Whitespace tidied (line breaks kept, at most one blank line), cut to `max` characters. */
  function normalize(value, max) {
    if (typeof value !== "string") return "";
    return value
      .replace(/[ \t\f\v\u00a0\u200b]+/g, " ")
      .replace(/ *\n */g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
      .slice(0, max);
  }

  /** The text a reader sees in `node`: <br> and block elements become line breaks, emoji images
   * their alt text; elements matching `skip` (and our own controls) are left out. Raw; the core
   * normalizes it. */
  function text(node, skip) {
    if (!node) return "";
    const skipping = skip ? `${SKIP}, ${skip}` : SKIP;
    const parts = [];
    const walk = (parent) => {
      for (let child = parent.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) {
          parts.push(child.data);
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          if (child.matches(skipping)) continue;
          if (child.tagName === "BR") {
            parts.push("\n");
          } else if (child.tagName === "IMG") {
            const alt = child.getAttribute("alt") || "";
            if (alt.length <= 8) parts.push(alt); // an emoji drawn as an image
          } else {
            const block = BLOCKS.has(child.tagName);
            if (block) parts.push("\n");
            walk(child);
            if (block) parts.push("\n");
          }
        }
      }
    };
    walk(node);
    return parts.join("");
  }

  /** Whether `match` (under `root`) belongs to root's own comment, not to a reply nested in it. */
  function belongs(match, root) {
    return !root.matches(site.commentSelector) || match.closest(site.commentSelector) === root;
  }

  /** The first element under `root` matching `selector` that belongs to root's own comment. */
  function own(root, selector) {
    if (!root) return null;
    for (const match of root.querySelectorAll(selector)) {
      if (belongs(match, root)) return match;
    }
    return null;
  }

  /** The text of the first match of `selector` under `root` (own comment only) that has any. */
  function ownText(root, selector, skip) {
    if (!root) return "";
    for (const match of root.querySelectorAll(selector)) {
      if (!belongs(match, root)) continue;
      const found = normalize(text(match, skip), LIMITS.post);
      if (found) return found;
    }
    return "";
  }

  /** The nearest match of `selector` around `el`: searched in el's parent, then grandparent... */
  function around(el, selector) {
    for (let node = el && el.parentElement; node; node = node.parentElement) {
      const match = node.querySelector(selector);
      if (match) return match;
    }
    return null;
  }

  /** The comment that `el` (a reply) is nested in, or null. */
  function parentComment(el) {
    return (el && el.parentElement && el.parentElement.closest(site.commentSelector)) || null;
  }

  const kit = Object.freeze({ text, own, ownText, around, parentComment, normalize });

  const warned = new Set();
  function siteCall(name, el, fallback) {
    const fn = site[name];
    if (typeof fn !== "function") return fallback;
    try {
      return fn.call(site, el, kit);
    } catch (error) {
      if (!warned.has(name)) {
        warned.add(name);
        console.warn(`Postcraft (${site.name}): ${name} failed; the page's markup changed?`, error);
      }
      return fallback;
    }
  }

  function collect(el) {
    const thread = siteCall("threadOf", el, []);
    return {
      platform: site.name,
      comment: normalize(siteCall("textOf", el, ""), LIMITS.comment),
      author: normalize(siteCall("authorOf", el, ""), LIMITS.author),
      post: normalize(siteCall("postOf", el, ""), LIMITS.post),
      thread: (Array.isArray(thread) ? thread : [])
        .map((item) => normalize(typeof item === "string" ? item : "", LIMITS.threadItem))
        .filter(Boolean)
        .slice(-LIMITS.threadItems),
    };
  }

  // ---- building our elements ---------------------------------------------------------------

  /** A new element with postcraft- classes and, optionally, its text. */
  function make(tag, classes, content) {
    const el = document.createElement(tag);
    el.className = classes
      .split(" ")
      .map((name) => `postcraft-${name}`)
      .join(" ");
    if (content !== undefined) el.textContent = String(content);
    return el;
  }

  const CSS = `
.postcraft-root { display: block; margin: 6px 0; font: 13px/1.4 system-ui, -apple-system,
  "Segoe UI", Roboto, Arial, sans-serif; color: #1f2328; text-align: left; white-space: normal;
  letter-spacing: normal; text-transform: none; }
.postcraft-root * { box-sizing: border-box; font: inherit; }
.postcraft-root [hidden] { display: none !important; }
.postcraft-control, .postcraft-copy, .postcraft-close { appearance: none; cursor: pointer;
  border: 1px solid #8c959f; border-radius: 6px; background: #f6f8fa; color: #1f2328;
  padding: 2px 8px; font-size: 12px; line-height: 18px; margin: 0; }
.postcraft-control:hover, .postcraft-copy:hover { background: #eaeef2; }
.postcraft-control:disabled { cursor: progress; opacity: 0.7; }
.postcraft-panel { margin-top: 6px; padding: 8px 10px; max-width: 560px; border: 1px solid #d0d7de;
  border-radius: 8px; background: #ffffff; color: #1f2328; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.postcraft-head { display: flex; align-items: center; justify-content: space-between; gap: 8px;
  margin-bottom: 6px; }
.postcraft-label { font-size: 11px; font-weight: 600; text-transform: uppercase;
  letter-spacing: .04em; color: #57606a; }
.postcraft-close { border: none; background: transparent; font-size: 16px; line-height: 16px;
  padding: 0 4px; color: #57606a; }
.postcraft-reply { border-top: 1px solid #eaeef2; padding: 6px 0; }
.postcraft-head + .postcraft-reply { border-top: none; }
.postcraft-reply-text { margin: 0 0 4px; white-space: pre-wrap; word-wrap: break-word; }
.postcraft-sources { font-size: 11px; color: #57606a; margin: 0 0 4px; }
.postcraft-escalate { border: 1px solid #cf222e; background: #ffebe9; color: #82071e;
  border-radius: 6px; padding: 8px; }
.postcraft-flag { border: 1px solid #8c959f; background: #eaeef2; color: #24292f;
  border-radius: 6px; padding: 8px; }
.postcraft-escalate p, .postcraft-flag p { margin: 4px 0 0; }
.postcraft-title { font-weight: 700; }
.postcraft-status { color: #57606a; margin: 0; }
.postcraft-error { color: #82071e; margin: 0; }
`;

  function injectStyle() {
    if (document.getElementById("postcraft-style")) return;
    const style = document.createElement("style");
    style.id = "postcraft-style";
    style.textContent = CSS;
    (document.head || document.documentElement).append(style);
  }

  // ---- rendering answers -------------------------------------------------------------------

  function head(panel, label) {
    const row = make("div", "head");
    const close = make("button", "close", "×");
    close.type = "button";
    close.title = "Hide";
    close.setAttribute("aria-label", "Hide the suggestions");
    close.addEventListener("click", () => {
      panel.hidden = true;
    });
    row.append(make("span", "label", label), close);
    return row;
  }

  function classificationLabel(job) {
    const c = job && job.classification;
    if (!c || typeof c.label !== "string") return "Postcraft";
    return typeof c.language === "string" && c.language ? `${c.label} · ${c.language}` : c.label;
  }

  function selectText(node) {
    const selection = window.getSelection();
    if (!selection) return;
    const range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
  }

  async function copy(value, textNode, button) {
    try {
      await navigator.clipboard.writeText(value);
      button.textContent = "Copied";
    } catch {
      selectText(textNode); // no clipboard access here: the reply is selected for Ctrl+C
      button.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => {
      button.textContent = "Copy";
    }, 2500);
  }

  function replyBlock(reply) {
    const block = make("div", "reply");
    const value = typeof reply.text === "string" ? reply.text : "";
    const paragraph = make("p", "reply-text", value);
    block.append(paragraph);
    const sources = (Array.isArray(reply.sources) ? reply.sources : [])
      .map((s) => (s && typeof s.source === "string" ? s.source : ""))
      .filter(Boolean);
    if (sources.length) block.append(make("p", "sources", `Sources: ${sources.join(", ")}`));
    const button = make("button", "copy", "Copy");
    button.type = "button";
    button.addEventListener("click", () => copy(value, paragraph, button));
    block.append(button);
    return block;
  }

  function escalateBox(job) {
    const escalation = (job && job.escalation) || {};
    const to = typeof escalation.to === "string" && escalation.to ? escalation.to : "the person on duty";
    const box = make("div", "escalate");
    box.setAttribute("role", "alert");
    box.append(make("div", "title", "Do not reply."));
    box.append(make("p", "escalate-to", `Hand it to ${to}.`));
    if (typeof escalation.reason === "string" && escalation.reason) {
      box.append(make("p", "reason", `Reason: ${escalation.reason}`));
    }
    return box;
  }

  function flagBox(job) {
    const flag = (job && job.flag) || {};
    const box = make("div", "flag");
    box.append(make("div", "title", "Do not answer; flag it."));
    if (typeof flag.reason === "string" && flag.reason) {
      box.append(make("p", "reason", `Reason: ${flag.reason}`));
    }
    return box;
  }

  function render(panel, answer) {
    panel.replaceChildren();
    if (!answer || answer.ok !== true || !answer.job) {
      const message =
        answer && typeof answer.message === "string" ? answer.message : "Postcraft failed.";
      panel.append(head(panel, "Postcraft"), make("p", "error", message));
      return;
    }
    const job = answer.job;
    panel.append(head(panel, classificationLabel(job)));
    if (job.status === "failed") {
      const detail = job.error && typeof job.error.detail === "string" ? job.error.detail : "";
      panel.append(make("p", "error", detail || "Postcraft could not write a reply."));
      return;
    }
    const replies = Array.isArray(job.replies) ? job.replies.filter((r) => r && r.text) : [];
    if (job.outcome === "escalate") {
      panel.append(escalateBox(job));
    } else if (job.outcome === "flag") {
      panel.append(flagBox(job));
    } else if (replies.length) {
      for (const reply of replies.slice(0, 3)) panel.append(replyBlock(reply));
    } else {
      panel.append(make("p", "status", "No suggestion for this comment."));
    }
  }

  // ---- controls ----------------------------------------------------------------------------

  async function suggest(el, button, panel) {
    if (button.disabled) return;
    const request = collect(el);
    button.disabled = true;
    panel.hidden = false;
    panel.replaceChildren(head(panel, "Postcraft"), make("p", "status", "Asking Postcraft…"));
    let answer;
    try {
      answer = await chrome.runtime.sendMessage({ type: "postcraft:suggest", request });
    } catch (error) {
      const gone = !chrome.runtime || !chrome.runtime.id;
      answer = {
        ok: false,
        message: gone
          ? "The extension was reloaded or updated: reload this page."
          : `Could not reach the extension: ${error && error.message ? error.message : error}`,
      };
    }
    button.disabled = false;
    render(panel, answer);
  }

  function stopAtRoot(root) {
    // The sites act on clicks and keys inside a comment (open the post, select the message,
    // keyboard shortcuts); what happens in our control stays in it.
    for (const type of ["click", "dblclick", "mousedown", "mouseup", "pointerdown", "pointerup",
      "keydown", "keyup", "keypress"]) {
      root.addEventListener(type, (event) => event.stopPropagation());
    }
  }

  function control(el) {
    const root = make("div", "root");
    root.dataset.postcraftPlatform = site.name;
    const button = make("button", "control", "Suggest reply");
    button.type = "button";
    button.title = "Postcraft: suggest a reply to this comment";
    const panel = make("div", "panel");
    panel.hidden = true;
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-live", "polite");
    panel.setAttribute("aria-label", "Postcraft suggestions");
    button.addEventListener("click", () => suggest(el, button, panel));
    root.append(button, panel);
    stopAtRoot(root);
    return root;
  }

  const attached = new WeakSet();

  function hasControl(el) {
    for (const root of el.querySelectorAll(".postcraft-root")) {
      if (root.closest(site.commentSelector) === el) return true;
    }
    return false;
  }

  function attach(el) {
    if (attached.has(el) || el.closest(".postcraft-root")) return;
    if (typeof site.accept === "function" && !siteCall("accept", el, false)) return;
    // No text yet (still rendering, or a sticker): try again on the next scan.
    if (!normalize(siteCall("textOf", el, ""), LIMITS.comment)) return;
    attached.add(el);
    if (hasControl(el)) return; // another copy of this script got here first
    let anchor = siteCall("anchorOf", el, null);
    if (!(anchor instanceof Element) || !el.contains(anchor)) anchor = el;
    const root = control(el);
    if (anchor === el) el.append(root);
    else anchor.after(root);
  }

  function scan() {
    let comments;
    try {
      comments = document.querySelectorAll(site.commentSelector);
    } catch (error) {
      console.warn(`Postcraft (${site.name}): bad commentSelector`, error);
      return;
    }
    for (const el of comments) attach(el);
  }

  function ours(node) {
    const el = node && node.nodeType === Node.ELEMENT_NODE ? node : node && node.parentElement;
    return Boolean(el && (el.closest(".postcraft-root") || el.id === "postcraft-style"));
  }

  let timer = 0;
  let firstAt = 0;
  function schedule() {
    // Debounced, but a page that never stops changing is still scanned once a second.
    const now = Date.now();
    if (!timer) firstAt = now;
    clearTimeout(timer);
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, firstAt + MAX_WAIT_MS - now));
    timer = setTimeout(() => {
      timer = 0;
      scan();
    }, wait);
  }

  injectStyle();
  scan();
  new MutationObserver((records) => {
    if (records.every((record) => ours(record.target))) return;
    schedule();
  }).observe(document.body || document.documentElement, {
    childList: true,
    subtree: true,
    characterData: true,
  });
})();

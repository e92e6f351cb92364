/* Postcraft service worker: the only part of the extension that reads the token and calls the API.
 *
 * A content script sends {type: "postcraft:suggest", request: {platform, comment, author, post,
 * thread}}; the worker posts it to {api}/v1/brands/{brand}/replies with the token from
 * chrome.storage.session, polls {api}/v1/replies/{job_id} while the job is queued or running
 * (every 400 ms, at most 20 s), and answers {ok: true, job} or {ok: false, message, code, status}.
 *
 * The API is reached through the server's CORS (it admits this extension's origin when
 * POSTCRAFT_EXTENSION_ORIGINS lists it), so the API needs no host permission. The token never
 * leaves this worker except in the Authorization header: storage.session keeps its default access
 * level (trusted extension contexts only), so content scripts cannot read it.
 */
"use strict";

const PLATFORMS = new Set(["vk", "telegram", "ok", "instagram", "facebook", "x", "linkedin"]);
const POLL_INTERVAL_MS = 400;
const POLL_LIMIT_MS = 20000;
const REQUEST_TIMEOUT_MS = 15000;
const TERMINAL = new Set(["succeeded", "failed"]);
const LIMITS = { comment: 4000, author: 200, post: 8000, threadItems: 5, threadItem: 2000 };
const EXTENSION_ORIGIN = `chrome-extension://${chrome.runtime.id}`;

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Only this extension's own content scripts (they run in a tab) may ask; web pages cannot
  // message the worker at all (no externally_connectable).
  if (sender.id !== chrome.runtime.id || !sender.tab) return false;
  if (!message || message.type !== "postcraft:suggest") return false;
  suggest(message.request).then(sendResponse, (error) =>
    sendResponse(failure(`Postcraft failed: ${error && error.message ? error.message : error}`))
  );
  return true; // the answer comes asynchronously
});

chrome.action.onClicked.addListener(() => {
  chrome.runtime.openOptionsPage();
});

function failure(message, code = "extension", status = 0) {
  return { ok: false, message, code, status };
}

function clip(value, max) {
  return typeof value === "string" ? value.trim().slice(0, max) : "";
}

/** The request as the API takes it, or null when the content script sent something else. */
function cleanRequest(raw) {
  if (!raw || typeof raw !== "object" || !PLATFORMS.has(raw.platform)) return null;
  const comment = clip(raw.comment, LIMITS.comment);
  if (!comment) return null;
  const thread = Array.isArray(raw.thread) ? raw.thread : [];
  return {
    platform: raw.platform,
    comment,
    author: clip(raw.author, LIMITS.author),
    post: clip(raw.post, LIMITS.post),
    thread: thread
      .map((item) => clip(item, LIMITS.threadItem))
      .filter(Boolean)
      .slice(-LIMITS.threadItems),
  };
}

/** The configured API base without a trailing slash, or null unless it is an http(s) URL. */
function apiBase(apiUrl) {
  let url;
  try {
    url = new URL(apiUrl);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

async function settings() {
  const [local, session] = await Promise.all([
    chrome.storage.local.get(["apiUrl", "brandId"]),
    chrome.storage.session.get("token"),
  ]);
  return { apiUrl: local.apiUrl, brandId: local.brandId, token: session.token };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function suggest(raw) {
  const body = cleanRequest(raw);
  if (!body) return failure("This comment could not be read (no text).", "bad_comment");
  const { apiUrl, brandId, token } = await settings();
  if (!apiUrl || !brandId) {
    return failure("Set the API URL and the brand in the extension's options.", "not_configured");
  }
  if (!token) {
    return failure(
      "No token for this browser session: paste it in the extension's options " +
        "(it is forgotten when the browser closes).",
      "no_token"
    );
  }
  const base = apiBase(apiUrl);
  if (!base) return failure("The API URL in the options is not an http(s) URL.", "not_configured");

  const authorization = `Bearer ${token}`;
  let answer = await call(base, `/v1/brands/${encodeURIComponent(brandId)}/replies`, {
    method: "POST",
    headers: {
      Authorization: authorization,
      "Content-Type": "application/json",
      Accept: "application/json",
    },
    body: JSON.stringify(body),
  });
  const deadline = Date.now() + POLL_LIMIT_MS;
  while (answer.ok && !TERMINAL.has(answer.job.status)) {
    const jobId = answer.job.job_id;
    if (typeof jobId !== "string" || !jobId) {
      return failure("The API answered a job without a job_id.", "bad_answer");
    }
    if (Date.now() + POLL_INTERVAL_MS > deadline) {
      return failure(
        "Postcraft is still working on this reply after 20 s: try again in a moment.",
        "timeout"
      );
    }
    await sleep(POLL_INTERVAL_MS);
    answer = await call(base, `/v1/replies/${encodeURIComponent(jobId)}`, {
      method: "GET",
      headers: { Authorization: authorization, Accept: "application/json" },
    });
  }
  return answer;
}

/** One API request: {ok: true, job} for 200/202 with a job, else a failure with the detail. */
async function call(base, path, init) {
  let response;
  try {
    response = await fetch(base + path, {
      ...init,
      credentials: "omit",
      cache: "no-store",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    if (error && error.name === "TimeoutError") {
      return failure(`The Postcraft API at ${base} did not answer in time.`, "network");
    }
    return failure(
      `Could not reach the Postcraft API at ${base}. Is it running, and does its ` +
        `POSTCRAFT_EXTENSION_ORIGINS list ${EXTENSION_ORIGIN}?`,
      "network"
    );
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.status === 200 || response.status === 202) {
    if (!data || typeof data !== "object" || typeof data.status !== "string") {
      return failure("The API answered something that is not a reply job.", "bad_answer");
    }
    return { ok: true, job: data };
  }
  let detail = `The API answered HTTP ${response.status}.`;
  if (data && typeof data.detail === "string" && data.detail) detail = data.detail;
  else if (data && data.detail) detail = JSON.stringify(data.detail);
  const code = data && typeof data.error === "string" ? data.error : `http_${response.status}`;
  if (response.status === 401 || response.status === 403) {
    return failure(
      `${detail} Check the token in the extension's options.`,
      code,
      response.status
    );
  }
  return failure(detail, code, response.status);
}

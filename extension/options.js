/* The options page: API URL and brand in chrome.storage.local, the token in
 * chrome.storage.session (memory only: gone when the browser closes, never readable by the
 * content scripts, which keep storage.session's default access level). */
"use strict";

const form = document.getElementById("settings");
const apiInput = document.getElementById("api-url");
const tokenInput = document.getElementById("token");
const brandInput = document.getElementById("brand-id");
const status = document.getElementById("status");
const BRAND = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

document.getElementById("origin").textContent = `chrome-extension://${chrome.runtime.id}`;

function show(kind, message) {
  status.dataset.kind = kind;
  status.textContent = message;
}

/** {url} (an http(s) URL without a trailing slash) or {error}. */
function checkUrl(value) {
  const raw = value.trim();
  if (!raw) return { error: "Enter the API URL, e.g. https://postcraft.example.com." };
  let url;
  try {
    url = new URL(raw);
  } catch {
    return { error: `"${raw}" is not a URL. Write it in full, e.g. https://postcraft.example.com.` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { error: `The API URL must start with https:// or http://, not ${url.protocol}//.` };
  }
  if (url.username || url.password) {
    return { error: "Leave the user name and password out of the API URL; the token is enough." };
  }
  if (url.search || url.hash) {
    return { error: "The API URL takes no ?query or #fragment." };
  }
  const plain = url.protocol === "http:" && !LOCAL_HOSTS.has(url.hostname);
  return { url: `${url.origin}${url.pathname}`.replace(/\/+$/, ""), plain };
}

async function tokenIsSet() {
  const { token } = await chrome.storage.session.get("token");
  return typeof token === "string" && token.length > 0;
}

async function showTokenState() {
  const set = await tokenIsSet();
  tokenInput.placeholder = set
    ? "A token is set for this browser session (leave empty to keep it)"
    : "Paste the token";
}

async function load() {
  const { apiUrl, brandId } = await chrome.storage.local.get(["apiUrl", "brandId"]);
  if (typeof apiUrl === "string") apiInput.value = apiUrl;
  if (typeof brandId === "string") brandInput.value = brandId;
  await showTokenState();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const checked = checkUrl(apiInput.value);
  if (checked.error) {
    show("error", checked.error);
    apiInput.focus();
    return;
  }
  const brandId = brandInput.value.trim();
  if (!BRAND.test(brandId)) {
    show("error", "Enter the brand id (letters, digits, - _ . :), e.g. zerno.");
    brandInput.focus();
    return;
  }
  const token = tokenInput.value.trim();
  if (/\s/.test(token)) {
    show("error", "The token has spaces in it: paste it again, exactly as it was printed.");
    tokenInput.focus();
    return;
  }
  if (!token && !(await tokenIsSet())) {
    show("error", "Paste a token (postcraft keys create --role responder ...).");
    tokenInput.focus();
    return;
  }
  try {
    await chrome.storage.local.set({ apiUrl: checked.url, brandId });
    await chrome.storage.local.remove("token"); // never on disk, even from an older version
    if (token) await chrome.storage.session.set({ token });
  } catch (error) {
    show("error", `Could not save: ${error && error.message ? error.message : error}`);
    return;
  }
  apiInput.value = checked.url;
  tokenInput.value = "";
  await showTokenState();
  if (checked.plain) {
    show(
      "warning",
      "Saved, but the API URL is plain http: the token travels unencrypted. Use https."
    );
  } else {
    show("ok", "Saved. The token is kept until the browser closes.");
  }
});

document.getElementById("forget").addEventListener("click", async () => {
  await chrome.storage.session.remove("token");
  tokenInput.value = "";
  await showTokenState();
  show("ok", "The token is forgotten.");
});

load().catch((error) => show("error", `Could not read the settings: ${error.message || error}`));

/* Telegram Web (web.telegram.org): version K (/k/) and version A (/a/).
 *
 * Expected markup, version K (a channel post's comments, a discussion group):
 *   .bubbles-inner .bubbles-date-group .bubbles-group     one sender's run of messages
 *     .bubble[data-mid]                                   a message; .is-out is our own,
 *                                                         .service a date or service line,
 *                                                         .is-thread-starter the channel post
 *                                                         the comments are under
 *       .bubble-content .name .peer-title                 sender (hidden on follow-ups)
 *       .bubble-content .reply .reply-subtitle            the message it answers (a quote)
 *       .bubble-content .message                          the text, with a .time inside
 * Version A: .Message.message-list-item (.own is ours), .sender-title, .text-content with a
 *   .MessageMeta inside, .EmbeddedMessage .embedded-text-wrapper for the answered message.
 * The control goes right after the text.
 */
(globalThis.PostcraftSites = globalThis.PostcraftSites || []).push({
  name: "telegram",
  hosts: ["web.telegram.org"],
  commentSelector:
    ".bubble[data-mid]:not(.service):not(.is-out):not(.is-thread-starter), " +
    ".Message.message-list-item:not(.own)",
  skip: ".time, .reply, .MessageMeta, .EmbeddedMessage, .reactions, reactions-element",
  textOf(el, kit) {
    return kit.text(el.querySelector(".message, .text-content"), this.skip);
  },
  authorOf(el, kit) {
    const name = kit.text(el.querySelector(".name .peer-title, .sender-title"));
    if (name.trim()) return name;
    // A follow-up message hides the name: it is on the first message of the sender's group.
    const group = el.closest(".bubbles-group, .sender-group-container");
    return group ? kit.text(group.querySelector(".name .peer-title, .sender-title")) : "";
  },
  postOf(el, kit) {
    const starter = document.querySelector(".bubbles-inner .bubble.is-thread-starter .message");
    return kit.text(starter, this.skip);
  },
  threadOf(el, kit) {
    const quoted = el.querySelector(".reply .reply-subtitle, .EmbeddedMessage .embedded-text-wrapper");
    return quoted ? [kit.text(quoted)] : [];
  },
  anchorOf(el) {
    return el.querySelector(".message, .text-content");
  },
});

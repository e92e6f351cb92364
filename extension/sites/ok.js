/* Odnoklassniki (ok.ru), a topic's or photo's comments (the discussion layer and group feeds).
 *
 * Expected markup:
 *   .media-text_cnt                              the topic's text (.media-text_cnt_tx inside)
 *   .comments_lst_cnt > div[id^="hook_Block_"]   one block per comment
 *     .comments_current[data-seen-params]        the comment; data-seen-params is JSON with
 *                                                data.commentId
 *       a.comments_author-name > span            its author
 *       .comments_text > span.js-text-full       its text; a reply carries data-rid (the
 *                                                commentId it answers) on .comments_text
 *       ul.comments_controls                     Like / Reply
 * The control goes right after the text.
 */
(globalThis.PostcraftSites = globalThis.PostcraftSites || []).push({
  name: "ok",
  hosts: ["ok.ru"],
  commentSelector: ".comments_current",
  textOf(el, kit) {
    return kit.ownText(el, ".js-text-full, .comments_text, .comment_text", ".comments_reply-to");
  },
  authorOf(el, kit) {
    return kit.ownText(el, ".comments_author-name");
  },
  postOf(el, kit) {
    return kit.text(kit.around(el, ".media-text_cnt"));
  },
  threadOf(el, kit) {
    // OK lists answers flat; an answer names the comment it answers in data-rid.
    const marker = el.querySelector("[data-rid]");
    const rid = marker && marker.getAttribute("data-rid");
    if (!rid) return [];
    for (const other of document.querySelectorAll(this.commentSelector)) {
      let id = "";
      try {
        id = String(JSON.parse(other.getAttribute("data-seen-params") || "{}").data.commentId);
      } catch {
        continue;
      }
      if (id === rid && other !== el) return [this.textOf(other, kit)];
    }
    return [];
  },
  anchorOf(el, kit) {
    return kit.own(el, ".comments_text, .comment_text");
  },
});

/* LinkedIn (www.linkedin.com), comments under a post in the feed or on the post's page.
 *
 * Expected markup:
 *   .feed-shared-update-v2                                   a post
 *     .update-components-actor__title                        who posted
 *     .feed-shared-update-v2__description                    the post's text
 *       (.update-components-update-v2__commentary on newer pages)
 *   article.comments-comment-entity[data-id^="urn:li:comment:"]   a comment;
 *                                                            --reply: an answer, nested in it
 *     .comments-comment-meta__description-title              its author
 *     .comments-comment-item__main-content                   its text (.update-components-text)
 *     .comments-comment-social-bar                           Like / Reply
 */
(globalThis.PostcraftSites = globalThis.PostcraftSites || []).push({
  name: "linkedin",
  hosts: ["www.linkedin.com"],
  commentSelector: "article.comments-comment-entity, article.comments-comment-item",
  textOf(el, kit) {
    return kit.ownText(el, ".comments-comment-item__main-content");
  },
  authorOf(el, kit) {
    return kit.ownText(
      el,
      ".comments-comment-meta__description-title, .comments-post-meta__name-text"
    );
  },
  postOf(el, kit) {
    const selector =
      ".feed-shared-update-v2__description, .update-components-update-v2__commentary";
    const post = el.closest(".feed-shared-update-v2");
    return kit.text((post && post.querySelector(selector)) || kit.around(el, selector));
  },
  threadOf(el, kit) {
    const parent = kit.parentComment(el);
    return parent ? [this.textOf(parent, kit)] : [];
  },
  anchorOf(el, kit) {
    return kit.own(el, ".comments-comment-item__main-content");
  },
});

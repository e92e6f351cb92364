/* VK (vk.com), the desktop wall and a post's own page.
 *
 * Expected markup (VK's classic wall, still served to desktop browsers):
 *   .post[data-post-id]                        a post
 *     .post_author a.author                    the community or person who posted
 *     .wall_text .wall_post_text               the post's text
 *     .replies_list > .reply[data-post-id]     a comment ("reply reply_dived _post ...")
 *       .reply_author a.author                 its author
 *       .reply_text .wall_reply_text           its text (emoji are <img class="emoji" alt="☕">;
 *                                              a long one has a .wall_reply_more "Show more" link)
 *       .reply_footer                          date and the Reply/Like actions
 *       .replies_wrap_deep .replies_list_deep > .reply   answers to this comment
 * The control goes right after .reply_text. If VK changes this markup, only this file changes.
 */
(globalThis.PostcraftSites = globalThis.PostcraftSites || []).push({
  name: "vk",
  hosts: ["vk.com"],
  commentSelector: ".reply",
  textOf(el, kit) {
    return kit.ownText(el, ".wall_reply_text", ".wall_reply_more");
  },
  authorOf(el, kit) {
    return kit.ownText(el, ".reply_author .author, .reply_author a");
  },
  postOf(el, kit) {
    const post = el.closest(".post");
    const body = (post && post.querySelector(".wall_post_text")) || kit.around(el, ".wall_post_text");
    return kit.text(body, ".wall_post_more");
  },
  threadOf(el, kit) {
    // An answer in a deep thread: the comment it answers is the .reply it is nested in.
    const parent = kit.parentComment(el);
    return parent ? [kit.ownText(parent, ".wall_reply_text", ".wall_reply_more")] : [];
  },
  anchorOf(el, kit) {
    return kit.own(el, ".reply_text") || kit.own(el, ".wall_reply_text");
  },
});

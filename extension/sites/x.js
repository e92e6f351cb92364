/* X (x.com), replies on a post's page (/<user>/status/<id>) and in the notifications.
 *
 * Expected markup:
 *   article[data-testid="tweet"]            a post; on a status page the one being viewed has
 *                                           tabindex="-1", the replies below it tabindex="0"
 *     [data-testid="User-Name"] a span      the author's display name (then @handle, time)
 *     [data-testid="tweetText"]             the text (emoji are <img alt="…">)
 *     [role="group"]                        Reply / Repost / Like
 * The control goes right after the text; a click in it does not open the post.
 */
(globalThis.PostcraftSites = globalThis.PostcraftSites || []).push({
  name: "x",
  hosts: ["x.com"],
  commentSelector: 'article[data-testid="tweet"]',
  focal() {
    return document.querySelector('article[data-testid="tweet"][tabindex="-1"]');
  },
  accept(el) {
    return el !== this.focal(); // the post itself is not a reply
  },
  textOf(el, kit) {
    return kit.text(el.querySelector('[data-testid="tweetText"]'));
  },
  authorOf(el, kit) {
    return kit.ownText(el, '[data-testid="User-Name"] a span');
  },
  postOf(el, kit) {
    const focal = this.focal();
    return focal ? kit.text(focal.querySelector('[data-testid="tweetText"]')) : "";
  },
  threadOf() {
    return []; // X draws a reply chain with unmarked connector lines: not read
  },
  anchorOf(el) {
    return el.querySelector('[data-testid="tweetText"]');
  },
});

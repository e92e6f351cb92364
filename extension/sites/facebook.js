/* Facebook (www.facebook.com), comments under a page's post, in the feed or on the post's page.
 *
 * Expected markup (class names are generated; these are the stable attributes):
 *   [aria-posinset] or a post div[role="article"]     the post
 *     [data-ad-comet-preview="message"]               the post's text ([data-ad-preview] before)
 *   ul > li div[role="article"][aria-label]           a comment ("Comment by …", localized)
 *     a[role="link"] span                             its author (the first link is the avatar)
 *     span[lang] div[dir="auto"]                      its text
 *     li > div > ul > li div[role="article"]          answers, in a list under the comment's li
 */
(globalThis.PostcraftSites = globalThis.PostcraftSites || []).push({
  name: "facebook",
  hosts: ["www.facebook.com"],
  commentSelector: 'div[role="article"][aria-label]',
  textOf(el, kit) {
    return kit.ownText(el, 'span[lang], div[dir="auto"][style*="text-align"]');
  },
  authorOf(el, kit) {
    return kit.ownText(el, 'a[role="link"] span[dir="auto"], a[role="link"] span');
  },
  postOf(el, kit) {
    return kit.text(
      kit.around(el, '[data-ad-comet-preview="message"], [data-ad-preview="message"]')
    );
  },
  threadOf(el, kit) {
    // An answer's list sits in the li of the comment it answers.
    const item = el.closest("li");
    const outer = item && item.parentElement && item.parentElement.closest("li");
    const parent = outer && outer.querySelector(this.commentSelector);
    return parent && parent !== el ? [this.textOf(parent, kit)] : [];
  },
  anchorOf(el, kit) {
    const body = kit.own(el, "span[lang]");
    return (body && body.parentElement) || el;
  },
});

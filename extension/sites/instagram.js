/* Instagram (www.instagram.com), a post's page or its dialog.
 *
 * Expected markup (the post's comment list):
 *   article h1                       the caption (h1._ap3a)
 *   ul._a9z6                         the list
 *     ul._a9ym > div > li._a9zj      a comment; the caption is drawn the same way and holds the h1
 *       div._a9zr h3._a9zc a         its author
 *       div._a9zs > span             its text
 *       ul._a9yo li._a9zj            answers, nested in the comment's ul._a9ym
 * Instagram renames these classes from time to time: this is the file to update.
 */
(globalThis.PostcraftSites = globalThis.PostcraftSites || []).push({
  name: "instagram",
  hosts: ["www.instagram.com"],
  commentSelector: "li._a9zj",
  accept(el) {
    return !el.querySelector("h1"); // the caption, not a comment
  },
  textOf(el, kit) {
    return kit.ownText(el, "._a9zs");
  },
  authorOf(el, kit) {
    return kit.ownText(el, "h3._a9zc a, h3 a, ._a9zc");
  },
  postOf(el, kit) {
    const article = el.closest("article");
    return kit.text((article && article.querySelector("h1")) || kit.around(el, "h1"));
  },
  threadOf(el, kit) {
    // An answer sits in its comment's ul._a9ym, whose first li._a9zj is that comment.
    const up = (node) => (node && node.parentElement ? node.parentElement.closest("ul._a9ym") : null);
    for (let list = el.closest("ul._a9ym"); list; list = up(list)) {
      const first = list.querySelector("li._a9zj");
      if (first && first !== el) return [kit.ownText(first, "._a9zs")];
    }
    return [];
  },
  anchorOf(el, kit) {
    return kit.own(el, "._a9zs");
  },
});

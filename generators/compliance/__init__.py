"""The compliance gate: every rule a post must satisfy, each written once with its check and,
where one exists, its repair (see docs/compliance.md).

- `platforms`: the platform registry (figures with sources) and `counting`: length as each
  platform counts it, and threads;
- `terms`: the one matcher for banned words, required terms and competitors' names;
- `hashtags`, `labels` (ad labels, disclaimers, "link in bio"), `invisible`, `language`,
  `grounding` (contacts, claims, competitors), `links` (UTM tags);
- `context`: what the rules need for one post; `checks`: validation; `repair` and
  `shortening`: deterministic repair; `report`: what was found; `rulebook`: the registry and
  the language judge a process builds once.
"""

"""The use cases: post drafts (and, later, hashtag sets, plans, replies), the LLM port, jobs."""

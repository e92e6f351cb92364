"""Post drafts: the request, the LLM output model and the service that writes them."""

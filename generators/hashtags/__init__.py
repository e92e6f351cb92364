"""Hashtag sets: the request, the LLM's output model and the service that ranks the tags."""

"""The LLM port and its providers (OpenAI-compatible endpoint, offline composer)."""

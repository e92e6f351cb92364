"""Prompt templates as files (Jinja, StrictUndefined) and the one renderer that fills them."""

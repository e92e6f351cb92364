"""Brand profiles and the ingestion of voice guides, past posts and competitor examples."""

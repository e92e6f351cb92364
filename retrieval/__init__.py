"""Embeddings, the vector store adapter, chunking and token-budgeted context packing."""

"""Persistence and settings: the base layer every other package builds on."""

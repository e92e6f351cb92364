"""The reply tests share the approval tests' desk: the Russian demo brand, its people and keys
(a responder's among them), one database per test module."""

from __future__ import annotations

from tests.approval.conftest import api, desk

__all__ = ["api", "desk"]

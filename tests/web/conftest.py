"""The review page's tests share the approval tests' desk: the Russian demo brand with a
copywriter, two managers and an admin, another brand with its own manager (one database per
test module)."""

from __future__ import annotations

from tests.approval.conftest import api, desk

__all__ = ["api", "desk"]

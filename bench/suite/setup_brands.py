"""Set up the demo brands (`api.demo.setup_demo`, folder demo/brands) and an admin key in each
target the arguments name, then print what was set up as one JSON line. Run by the suite in a
process of its own: `python -m bench.suite.setup_brands '[{"data_dir": ..., "database_url":
...}, ...]'`. The targets share one embedding model whose vectors are remembered by text, so the
second and later targets cost no embedding time."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from api.demo import setup_demo
from generators.runtime import build_runtime
from retrieval.embeddings import E5Embedder
from storage.db import migrate
from storage.settings import Settings

DEMO = Path(__file__).resolve().parents[2] / "demo" / "brands"


class RememberingEmbedder:
    """e5, with every vector remembered by its text (one embedding per text per run)."""

    def __init__(self) -> None:
        self._e5 = E5Embedder()
        self.name, self.dim = self._e5.name, self._e5.dim
        self._passages: dict[str, list[float]] = {}
        self._queries: dict[str, list[float]] = {}

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for stored text, computing only those not seen before."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._passages))
        if missing:
            self._passages.update(zip(missing, self._e5.embed_passages(missing), strict=True))
        return [self._passages[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """The vector of a search query."""
        if text not in self._queries:
            self._queries[text] = self._e5.embed_query(text)
        return self._queries[text]


def main(argv: Sequence[str] | None = None) -> None:
    """Migrate each target, import every demo brand, print [{"brands": {slug: id}, "key"}]."""
    targets = json.loads((argv or sys.argv[1:])[0])
    embedder = RememberingEmbedder()
    done = []
    for target in targets:
        settings = Settings(
            data_dir=Path(target["data_dir"]), DATABASE_URL=target.get("database_url")
        )
        runtime = build_runtime(settings, embedder=embedder)
        migrate(runtime.engine)
        demo = setup_demo(runtime, DEMO, Console(file=sys.stderr))
        runtime.engine.dispose()
        done.append({"brands": demo.brands, "key": demo.api_key})
    print(json.dumps(done))


if __name__ == "__main__":
    main()

"""The benchmark suite of issue 9: Postcraft side by side with a plain LangChain RAG chain.

    .venv/bin/python -m bench.suite [--quick]    (or `make bench`; `make bench BENCH_ARGS=--quick`)

It starts every process it measures (the API, workers, the reconciler, the embedded `serve`),
each in its own process group, on a temporary data dir, a PostgreSQL database and a Redis
database of its own, and stops them all when it ends, fails or is interrupted. The model is the
fake OpenAI-compatible server of the tests (`tests/fakes/openai_server.py`), in this process,
with no latency or with a fixed one. The peer (`bench/peer.py`) runs in this process against a
second fake with the same latency. Figures only: nothing here asserts a time. It writes
`bench/RESULTS.md` and a raw JSON copy under `bench/results/`; `docs/benchmarks.md` says what
each figure means and how it is measured.
"""

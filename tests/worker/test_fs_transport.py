"""The embedded broker's sends are atomic: a consumer polling while messages are written takes
each whole, never an empty or partial file (kombu's own transport loses those)."""

from __future__ import annotations

import threading
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu.connection import Connection
from kombu.exceptions import ChannelError

from worker.fs_transport import Transport

MESSAGES = 300
BIG = "x" * 200_000  # a long write widens the window between creating a file and filling it


def _channel(folder: Path) -> Any:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    connection = Connection(transport=Transport, transport_options=options)  # type: ignore[no-untyped-call]
    return connection.channel()  # type: ignore[no-untyped-call]


def test_a_consumer_racing_the_sender_gets_every_message_whole(tmp_path: Path) -> None:
    sender, consumer = _channel(tmp_path), _channel(tmp_path)
    received: list[dict[str, Any]] = []
    broken: list[Exception] = []
    done = threading.Event()

    def consume() -> None:
        while len(received) < MESSAGES and not (done.is_set() and not any(tmp_path.iterdir())):
            try:
                received.append(consumer._get("batch"))
            except Empty:
                continue
            except Exception as exc:  # an empty or partial file fails to parse
                broken.append(exc)

    thread = threading.Thread(target=consume)
    thread.start()
    for n in range(MESSAGES):
        sender._put("batch", {"n": n, "body": BIG})
    done.set()
    thread.join(timeout=60)
    assert not broken, broken[:3]
    assert sorted(m["n"] for m in received) == list(range(MESSAGES))
    assert all(m["body"] == BIG for m in received)


def test_a_send_to_a_missing_folder_is_a_channel_error(tmp_path: Path) -> None:
    channel = _channel(tmp_path / "gone")
    with pytest.raises(ChannelError, match="Cannot add file"):
        channel._put("batch", {"n": 1})

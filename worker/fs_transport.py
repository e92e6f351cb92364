"""The filesystem broker of the embedded default, with atomic sends.

kombu's filesystem transport creates a message file and then writes it, while a consumer takes
any file whose name ends in `<queue>.msg`: a poll that lands between the two takes an empty file
and the message is lost (the reconciler re-sends its job, but only after
POSTCRAFT_JOB_QUEUED_GRACE_S). Here a message is written under a name no consumer takes and then
renamed into place, which is atomic, so a consumer sees a whole message or none."""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    """kombu's filesystem channel whose `_put` writes a partial file, then renames it."""

    def _put(self, queue: Any, message: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"  # `<queue>.msg.part`: no consumer of <queue> takes it
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(message)))  # type: ignore[no-untyped-call]
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    """The filesystem transport with the atomic channel."""

    Channel = Channel


TRANSPORT = f"{__name__}:Transport"

"""A Flask-Mailman backend that writes each mail to a file of its own (`<outbox id>.eml`).

Flask-Mailman's own file backend appends every mail of a connection to one log file; one .eml per mail
opens in any mail program and shows exactly what the recipient would get (MAIL_BACKEND=file).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask_mailman.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):  # type: ignore[misc]
    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or self.mailman.file_path)
        self.folder.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            mime = message.message()
            name = re.sub(r"[^A-Za-z0-9.@_-]", "", mime["Message-ID"] or "") or f"mail-{id(message)}"
            target = self.folder / f"{name}.eml"
            partial = target.with_suffix(".eml.part")
            partial.write_bytes(mime.as_bytes())
            os.replace(partial, target)  # a reader never sees half a mail
        return len(email_messages)

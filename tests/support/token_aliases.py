"""Opaque stand-ins for a server's tokens, shaped like the real service's.

The real service's SyncSessionTokens and NextTokens are base64 of gzip: they start
with ``H4sI`` and hold ``+``, ``/`` and ``=``. :class:`TokenAliases` gives every token
a server issues one such alias (the same alias every time, so a token handed back
again looks the same) and reads an alias back into the server's token.
"""

from __future__ import annotations

import base64
import gzip
import secrets
import threading


class TokenAliases:
    """A two-way, thread-safe map between a server's tokens and AWS-looking aliases."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._alias: dict[str, str] = {}
        self._native: dict[str, str] = {}

    def alias(self, token: str) -> str:
        """The alias of ``token``, made the first time it is seen."""
        with self._lock:
            known = self._alias.get(token)
            if known is None:
                known = self._mint(token)
                self._alias[token], self._native[known] = known, token
            return known

    def native(self, alias: str) -> str | None:
        """The token an alias stands for; None for anything this map never made."""
        with self._lock:
            return self._native.get(alias)

    def _mint(self, token: str) -> str:
        while True:
            padding = secrets.randbelow(3)
            blob = gzip.compress(token.encode("utf-8") + secrets.token_bytes(12 + padding), mtime=0)
            alias = base64.b64encode(blob).decode("ascii")
            if {"+", "/"} <= set(alias) and alias.endswith("=") and alias not in self._native:
                return alias

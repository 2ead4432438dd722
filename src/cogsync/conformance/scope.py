"""Where a run's calls go: fresh identities and dataset names, and what to clean up.

Against an emulator cogsync invents a fresh (pool, identity) for every example, so
examples never see each other's data and the model can start from nothing. Against
real AWS ids cannot be invented: every example uses the identity the user gave and
dataset names that start with the run prefix, and the run deletes those datasets
at the end (and only those).
"""

from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from cogsync.conformance.config import RunConfig
from cogsync.contracts.calls import Call, Unknown
from cogsync.strategies import Identity

_REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")


@dataclass
class Scope:
    """Hands out identities and dataset names, and remembers what to delete."""

    config: RunConfig
    _counter: itertools.count = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    created: set[tuple[str, str, str]] = field(default_factory=set)

    @property
    def real(self) -> bool:
        """True when the user named the identity (real AWS): nothing can be invented."""
        return self.config.identity_id is not None

    def identity(self, *, pool_id: str | None = None, identity_id: str | None = None) -> Identity:
        """A fresh identity; ``pool_id`` or ``identity_id`` pin one half (ISO-1 probes
        two identities in one pool, and one identity id under two pools)."""
        if self.real:
            assert self.config.identity_pool_id and self.config.identity_id
            return Identity(self.config.identity_pool_id, self.config.identity_id)
        n = next(self._counter)
        region = _REGIONS[n % len(_REGIONS)]
        return Identity(pool_id or f"{region}:{uuid.uuid4()}", identity_id or f"{region}:{uuid.uuid4()}")

    def dataset(self, hint: str = "d") -> str:
        """A dataset name; on real AWS it carries the run prefix so cleanup can find it."""
        if not self.real:
            return hint
        n = next(self._counter)
        return f"{self.config.run_prefix}-{n}"[:128]

    def remember(self, identity: Identity, dataset: str) -> None:
        with self._lock:
            self.created.add((identity.pool_id, identity.identity_id, dataset))

    def sweep(self, target: Any) -> None:
        """On a named identity, delete the run's datasets made so far (and only those).

        Called after every example, so a run never holds more than a few datasets
        of the identity (the service allows 20), and at the end, even after Ctrl-C.
        A delete that got no answer (or was not sent: the run's deadline had passed)
        stays remembered, so the final cleanup tries it again.
        """
        if not self.real:
            return
        with self._lock:
            mine = sorted(c for c in self.created if c[2].startswith(self.config.run_prefix))
            self.created.clear()
        unsure = []
        for pool, identity, dataset in mine:
            try:
                response = target.send(Call("DeleteDataset", {"IdentityPoolId": pool, "IdentityId": identity,
                                                              "DatasetName": dataset}))
            except Exception:  # noqa: BLE001 - best effort; the next run has another prefix
                unsure.append((pool, identity, dataset))
                continue
            if isinstance(response.outcome, Unknown):
                unsure.append((pool, identity, dataset))
        if unsure:
            with self._lock:
                self.created.update(unsure)

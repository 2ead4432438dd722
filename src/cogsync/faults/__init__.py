"""Faults between a client and a server: the SPEC that names them and the proxy that injects them.

``spec`` is a low layer (it imports nothing of cogsync but ``cogsync.errors``), shared by
``cogsync proxy`` and ``cogsync verify --faults``.
"""

from cogsync.faults.spec import FaultKind, FaultSchedule, FaultSpec, InjectedFault

__all__ = ["FaultKind", "FaultSchedule", "FaultSpec", "InjectedFault"]

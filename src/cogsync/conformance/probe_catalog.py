"""Every directed probe, read from here: the core ones of :mod:`probes` and those of
:mod:`edge_probes` (neighbours, carried values, range tops, spread limits, lifecycles).

Both modules register their probes in ``probes.PROBES`` with the ``@probe`` decorator;
importing this module imports both, so its ``PROBES`` is the whole list (and ``probes``
never imports ``edge_probes``, which imports it).
"""

from __future__ import annotations

from cogsync.conformance import edge_probes as _edge_probes  # noqa: F401  (registers them)
from cogsync.conformance.probes import PROBES, Probe

__all__ = ["PROBES", "Probe"]

"""One registry keyed by property id: everything about a property, one hop from its id.

For each id of the contract an :class:`Entry` names its statement, level, sources
and condition (:mod:`cogsync.contracts.properties`), its check and the function
that decides it (:mod:`cogsync.conformance.checks`), the rows of the model's
attribution table that blame an answer on it, its witness, the probes and phases
aimed at it, the mutants that break it (:mod:`cogsync.mutants.catalog`), and a
sequence that shows it (:mod:`cogsync.registry.showcases`). ``cogsync explain``
and docs/contract.md are rendered from it (``python -m cogsync.registry --write
docs/contract.md``).

Why it sits here, above the conformance layer and beside the report: it names
probes (conformance) and mutants (servers built on the emulator, beside the
targets). The engine must not depend on the mutants (a run never needs them) and
the mutants must not depend on the engine (they are servers), so the registry
reads both from above, as a report reads results; nothing below imports it, and
only the commands (``explain``) and the docs generator do.
"""

from __future__ import annotations

from cogsync.registry.entries import BY_ID, ENTRIES, Entry, entry, gaps
from cogsync.registry.showcase import Showcase

__all__ = ["BY_ID", "ENTRIES", "Entry", "Showcase", "entry", "gaps"]

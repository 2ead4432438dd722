"""The conformance engine: checks, state machines, concurrency and linearizability."""

"""Faults between client and server: the SPEC, and its in-process injection (``target``)."""

"""Helpers the test suites share: real servers dressed in the real service's wire habits."""

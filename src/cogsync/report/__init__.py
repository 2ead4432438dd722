"""Reports: JSON, JUnit, Markdown and reproduction scripts."""

"""Faces' shared renderings: reports, JUnit, tables, progress.

Internal: import from ``lovregler``."""

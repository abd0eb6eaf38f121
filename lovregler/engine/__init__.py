"""Compile, decide: a regime's program, its backends, and the decision for a case (data).

Internal: import from ``lovregler``."""

"""A child's case and its history: the input types, validated.

Internal: import from ``lovregler``."""

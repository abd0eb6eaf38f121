"""A decision -> its explanation: sentences in Danish or English, and the reasons tree.

Internal: import from ``lovregler``."""

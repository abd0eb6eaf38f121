"""The law as data: safe YAML, rule-file models, the loader, the catalogue, the vocabulary and the acts.

Internal: import from ``lovregler`` (and ``lovregler.testing``)."""

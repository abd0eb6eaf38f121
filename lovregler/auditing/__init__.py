"""Case histories audited against the obligations (lovregler.audit is the function).

Internal: import from ``lovregler``."""

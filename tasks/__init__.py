"""Prefect tasks, one module per stage: load inputs, call the domain or a connector, persist."""

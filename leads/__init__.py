"""The lead domain, pure Python.

Nothing here imports prefect, httpx or SQLAlchemy, and nothing here imports another package of
ours: connectors, tasks and flows depend on this package, never the other way round.
"""

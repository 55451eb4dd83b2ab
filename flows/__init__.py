"""Prefect flows and the `leads` command line. Flows compose tasks; they do no work themselves."""

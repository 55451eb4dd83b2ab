"""Enrichment providers: paid APIs and the data team's reference table, behind one interface."""

"""Clearbit (HubSpot Breeze Intelligence) Company API: a company by its domain."""

from connectors.enrichment.clearbit.client import ClearbitProvider

__all__ = ["ClearbitProvider"]

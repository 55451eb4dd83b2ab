"""People Data Labs: company enrichment by website, person enrichment by email or name + company."""

from connectors.enrichment.pdl.client import PdlProvider

__all__ = ["PdlProvider"]

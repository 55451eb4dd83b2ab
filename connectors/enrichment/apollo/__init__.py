"""Apollo.io: organization enrichment by domain and people matching, in batches of ten."""

from connectors.enrichment.apollo.client import ApolloProvider

__all__ = ["ApolloProvider"]

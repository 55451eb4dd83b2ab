"""LinkedIn Lead Gen Forms (Lead Sync API) and ad spend (adAnalytics) of sponsored ad accounts (source)."""

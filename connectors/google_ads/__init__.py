"""Google Ads: lead form submissions (GAQL search) and campaign and ad spend (source)."""

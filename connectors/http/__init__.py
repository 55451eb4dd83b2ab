"""The HTTP layer every vendor connector shares: client factory, auth, error classification, retries, rate limits.

Connectors receive an `httpx.Client` built by `make_client` (tests pass a MockTransport), send through
a `Retrier` that retries only what `errors.classify` calls retriable, and take a token from a
`RateLimiter` before every attempt so all processes and runs calling one vendor share its limit.
"""

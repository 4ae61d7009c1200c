"""Alert delivery: routing, retries, digests; one module per channel in ``channels/``."""

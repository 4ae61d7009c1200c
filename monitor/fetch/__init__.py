"""Getting pages: a bounded HTTP client, the address guard, and a pool of fetch processes."""

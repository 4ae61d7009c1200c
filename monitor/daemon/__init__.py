"""The long-running scheduler, its health endpoint and metrics."""

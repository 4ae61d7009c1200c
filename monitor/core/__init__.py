"""The pure core: values, rules and decisions, with no I/O, no asyncio and no clock reads.

Everything else in monitor is an I/O shell around what this package decides."""

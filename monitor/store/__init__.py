"""Everything kept on disk: snapshots in git, state in SQLite, the alert outbox, atomic files."""

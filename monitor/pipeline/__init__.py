"""One check, from fetch to stored snapshot and queued alert; passes over many sources."""

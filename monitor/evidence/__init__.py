"""Evidence: raw captures, the signed log, verification and packets."""

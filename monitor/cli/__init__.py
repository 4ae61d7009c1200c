"""The command line and the demo: thin shells over the stages below."""

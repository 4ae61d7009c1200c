import sys

from monitor.cli.main import main

# Guarded: forkserver workers import the parent's __main__ module again.
if __name__ == "__main__":
    sys.exit(main())

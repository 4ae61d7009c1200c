"""Loaded by tests/run-a-year-ahead: makes time.sleep work under libfaketime.

libfaketime 0.9.10 with FAKETIME_DONT_FAKE_MONOTONIC=1 makes Python's
time.sleep (clock_nanosleep on the monotonic clock, absolute) fail with
EINVAL; without that variable, timed waits hang. Sleeping in select() with a
relative timeout works with both, so time.sleep is redone on it. Only when
libfaketime is loaded: anywhere else this file does nothing.
"""

import os
import select
import time

if "faketime" in os.environ.get("LD_PRELOAD", ""):

    def _sleep(seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            select.select([], [], [], left)

    time.sleep = _sleep

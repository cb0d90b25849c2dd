"""Python's cyclic garbage collector paused for the duration of a bulk path.

A batch allocates millions of small objects (a dict per row and field, a tuple per problem) and
keeps hundreds of thousands of them alive until it is written, beside the cleaning rules'
caches. The collector is triggered by allocations, so it runs thousands of times during a batch,
and each full collection walks every live object. On 40 of the city's units (one worker), its
4,847 collections took 6.5 s of the worker's 41 s of CPU, and pausing it during processing cut
that phase's CPU by a fifth (bench/import_city.py, alternating runs). These paths make no reference cycles worth collecting meanwhile (reference
counting frees their objects); whatever cycles they leave are collected once the collector is
back on, at its next run.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector inside; restore its state after, even on error. Nests."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

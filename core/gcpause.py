"""Python's cyclic garbage collector paused for the duration of a bulk path.

A batch allocates millions of small objects (a dict per row and field, a tuple per problem) and
keeps hundreds of thousands of them alive until it is written, beside the cleaning rules'
caches. The collector is triggered by allocations, so it runs thousands of times during a batch,
and each full collection walks every live object. On 40 of the city's units (one worker), its
4,847 collections took 6.5 s of the worker's 41 s of CPU, and pausing it during processing cut
that phase's CPU by a fifth (bench/import_city.py, alternating runs). These paths make no reference cycles worth collecting meanwhile (reference
counting frees their objects); whatever cycles they leave are collected once the collector is
back on, at its next run.

What such a path leaves alive is mostly the rules' caches, which grow by some thousands of
entries a batch and live as long as the process. Counted as allocations while the collector was
paused, they made it run at once when it came back, walking every one of them: 11 ms a batch,
and a second pass of the older generation every ten batches, about 5 % of a worker's
processing CPU. So a path that ends well moves what it leaves alive to the collector's permanent
generation (`gc.freeze`), where no collection walks it again. Those objects are still freed by
reference counting when dropped; only a reference cycle the path left unreachable would never
be collected, and the paths make almost none (5 objects in 20 of the city's batches). So that
even those do not pile up in a worker that runs for weeks, every COLLECT_EVERY-th path
unfreezes everything and runs one full collection instead: 1.1 s over the 1.07 million
objects a worker holds after 60 of the city's units. Every hundredth path cost the city's
import about 2 s of its workers' 54 s of CPU (one pair of runs); every thousandth costs a
tenth of that, for at most a few hundred objects kept meanwhile. A path that fails leaves its objects to the collector as before: an exception's
traceback holds cycles.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

COLLECT_EVERY = 1000
_ended_well = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic collector inside; restore its state after, even on error. Nests: the
    outermost pause, when the block ends well, freezes what is left alive (above)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:
        if was_enabled:
            gc.enable()
        raise
    if was_enabled:
        global _ended_well
        _ended_well += 1
        if _ended_well % COLLECT_EVERY:
            gc.freeze()
        else:
            gc.unfreeze()
            gc.collect()
        gc.enable()

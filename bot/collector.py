"""The garbage collector set for a bot: a large heap that lives for days, and bursts of short-lived objects.

Python looks for reference cycles among its youngest objects after every 700 new ones. A thousand
members answering at once keep a thousand interactions in flight, some fifty objects each, and every
one of those collections walks them again: 38 % of the bot's CPU in such a burst
(bench/private_answers.py). Looking after every 10,000 holds at most a few MB of cyclic garbage a
little longer and cuts that share to 17 % (BENCHMARKS.md, "Private answers").
"""

from __future__ import annotations

import gc

YOUNG_OBJECTS = 10_000


def set_for_bursts() -> None:
    """The youngest generation's threshold raised; the older ones' kept, as multiples of it."""
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])

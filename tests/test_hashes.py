"""The key hashes of the validation, gathered batch by batch into one array."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bigtech_events.validate_tables import Hashes

_batches = st.lists(st.lists(st.integers(-2**63, 2**63 - 1) | st.integers(-3, 3), max_size=30), max_size=8)


@settings(max_examples=200, deadline=None)
@given(batches=_batches, capacity=st.integers(0, 100))
def test_hashes_sort_and_repeat_as_the_concatenated_batches_do(batches: list[list[int]], capacity: int):
    """Whatever the capacity given up front (too small, exact, too large), the hashes appended are
    all kept, in order once sorted, and the repeated ones are those that occur more than once."""
    every = [h for batch in batches for h in batch]
    found = Hashes(capacity)
    for batch in batches:
        found.append(np.array(batch, np.int64))
    assert found.count == len(every)
    again = Hashes(capacity)
    for batch in batches:
        again.append(np.array(batch, np.int64))
    assert found.sorted().tolist() == sorted(every)
    assert found.count == 0 and len(found.sorted()) == 0  # emptied
    assert again.repeated().tolist() == sorted(h for h, n in Counter(every).items() if n > 1)


def test_a_claimed_row_count_beyond_reason_sizes_nothing_beyond_the_cap():
    """A damaged Parquet footer may claim any number of rows: the array sized up front is capped."""
    found = Hashes(1 << 60)
    assert len(found._array) == Hashes.MAX_CAPACITY
    found.append(np.array([3, 1, 3], np.int64))
    assert found.repeated().tolist() == [3]

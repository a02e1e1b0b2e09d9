"""The one wait of pacing, retry and the spending limit."""

from __future__ import annotations

from panel.providers.waiting import sleep_until, wait_while
from tests.helpers import FakeTime, run


def test_what_is_left_is_asked_again_after_each_pause() -> None:
    time = FakeTime(10.0)
    moments = [12.0, 15.0, 15.0]  # another task moves the moment while the first sleep runs

    def left() -> float:
        return moments.pop(0) - time()

    run(wait_while(left, time.sleep))
    assert time.sleeps == [2.0, 3.0] and not moments


def test_nothing_left_means_no_pause() -> None:
    time = FakeTime(10.0)
    run(wait_while(lambda: 0.0, time.sleep))
    run(sleep_until(9.0, time, time.sleep))
    assert time.sleeps == []


def test_sleep_until_sleeps_once_even_on_a_clock_that_does_not_move() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # a test's sleep that passes no time
        slept.append(seconds)

    run(sleep_until(5.0, lambda: 1.0, sleep))
    assert slept == [4.0]

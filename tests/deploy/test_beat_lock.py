"""Exactly one beat sends the periodic tasks, however many run: against the real Redis."""

import time

import pytest
import redis
from celery import Celery

from portal.celery import SingleBeatScheduler

LOCK_URL = "redis://127.0.0.1:6379/15"


def redis_is_up():
    try:
        return redis.Redis.from_url(LOCK_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379")


class RecordingScheduler(SingleBeatScheduler):
    """Sends nothing: notes which entries it would have sent."""

    lock_key = "lienthongduoc:test-beat-lock"

    def __init__(self, *args, **kwargs):
        self.sent = []
        super().__init__(*args, **kwargs)

    def apply_entry(self, entry, producer=None):
        self.sent.append(entry.name)


@pytest.fixture
def beat_app():
    app = Celery("beat-lock-test", broker="memory://", set_as_current=False)
    app.conf.beat_schedule = {"every-moment": {"task": "noop", "schedule": 0.01}}
    yield app
    redis.Redis.from_url(LOCK_URL).delete(RecordingScheduler.lock_key)


def beat(app, tmp_path, name, lock_ttl=60):
    return RecordingScheduler(
        app=app, schedule_filename=str(tmp_path / name), lock_url=LOCK_URL, lock_ttl=lock_ttl
    )


def run_ticks(*schedulers, count=5):
    for _ in range(count):
        for scheduler in schedulers:
            scheduler.tick()
        time.sleep(0.02)


def test_of_two_beats_only_the_first_sends_periodic_tasks(beat_app, tmp_path):
    first, second = beat(beat_app, tmp_path, "a"), beat(beat_app, tmp_path, "b")
    run_ticks(first, second)
    assert first.sent and set(first.sent) == {"every-moment"}
    assert second.sent == []
    assert first.holds_lock and not second.holds_lock


def test_beat_waiting_for_the_lock_ticks_again_well_before_it_expires(beat_app, tmp_path):
    first, second = beat(beat_app, tmp_path, "a"), beat(beat_app, tmp_path, "b")
    first.tick()
    assert second.tick() == pytest.approx(20.0)
    assert redis.Redis.from_url(LOCK_URL).pttl(RecordingScheduler.lock_key) > 55_000


def test_second_beat_takes_over_when_the_first_stops_cleanly(beat_app, tmp_path):
    first, second = beat(beat_app, tmp_path, "a"), beat(beat_app, tmp_path, "b")
    run_ticks(first, second)
    first.close()
    run_ticks(second)
    assert second.sent and second.holds_lock


def test_second_beat_takes_over_when_the_first_dies_and_its_lock_expires(beat_app, tmp_path):
    first, second = (beat(beat_app, tmp_path, name, lock_ttl=0.5) for name in ("a", "b"))
    run_ticks(first, second)
    assert second.sent == []
    time.sleep(0.6)  # the first is gone without a word: no tick, no release
    run_ticks(second)
    assert second.sent and second.holds_lock
    first.tick()
    assert not first.holds_lock


def test_holder_keeps_the_lock_by_ticking(beat_app, tmp_path):
    first, second = (beat(beat_app, tmp_path, name, lock_ttl=0.5) for name in ("a", "b"))
    for _ in range(8):  # 0.8 s: longer than the lock lives without a refresh
        first.tick()
        second.tick()
        time.sleep(0.1)
    assert first.holds_lock and not second.holds_lock
    assert second.sent == []


def test_without_redis_the_single_beat_sends_without_a_lock(tmp_path):
    app = Celery("beat-no-lock-test", broker="memory://", set_as_current=False)
    app.conf.beat_schedule = {"every-moment": {"task": "noop", "schedule": 0.01}}
    scheduler = RecordingScheduler(app=app, schedule_filename=str(tmp_path / "s"))
    run_ticks(scheduler)
    assert scheduler.sent


def test_beat_still_sends_when_the_cache_cannot_record_its_tick(tmp_path, monkeypatch):
    def cache_down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("portal.celery.cache.set", cache_down)
    app = Celery("beat-cache-down-test", broker="memory://", set_as_current=False)
    app.conf.beat_schedule = {"every-moment": {"task": "noop", "schedule": 0.01}}
    scheduler = RecordingScheduler(app=app, schedule_filename=str(tmp_path / "s"), lock_url="")
    run_ticks(scheduler)
    assert scheduler.sent

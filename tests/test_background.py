"""Background work, one pattern (kebabalab/background.py): the outbox sender, the history janitor, the order
writer and the server's heartbeat start, stop, survive a fork and report errors the same way."""
from __future__ import annotations

import logging
import os
import threading

import pytest

from kebabalab.background import BackgroundThread
from tests.servers import wait_until

log = logging.getLogger("kebabalab.test.background")


def test_start_is_idempotent_and_stop_ends_the_thread():
    steps = []
    job = BackgroundThread("job", lambda: steps.append(threading.current_thread().name), 60, log)
    job.start()
    job.start()
    wait_until(lambda: job.iterations >= 1)
    assert [t.name for t in threading.enumerate()].count("job") == 1
    assert job.stop(timeout=5) is True
    assert (job.alive, steps) == (False, ["job"])


def test_wake_runs_the_next_step_now():
    job = BackgroundThread("waking", lambda: None, 60, log)
    job.start()
    try:
        wait_until(lambda: job.iterations == 1)
        job.wake()
        wait_until(lambda: job.iterations == 2)
    finally:
        job.stop()


def test_a_failing_step_is_logged_with_the_jobs_name_and_the_loop_goes_on(caplog):
    calls = []

    def step():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return False

    job = BackgroundThread("flaky-job", step, 0.01, log)
    job.start()
    try:
        wait_until(lambda: len(calls) >= 2)
    finally:
        assert job.stop() is True
    assert job.failures == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "flaky-job: a step failed; it will try again"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_after_a_fork_start_begins_a_thread_of_the_childs_own():
    ran_in = []
    job = BackgroundThread("forked-job", lambda: ran_in.append(os.getpid()), 60, log)
    job.start()
    wait_until(lambda: job.iterations >= 1)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's thread did not come along
        try:
            alive_before = job.alive
            job.start()
            for _ in range(500):
                if os.getpid() in ran_in:
                    break
                threading.Event().wait(0.01)
            os.write(write, f"{alive_before} {os.getpid() in ran_in} {job.stop()}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    assert job.stop() is True
    assert answer == "False True True"


@pytest.mark.parametrize("make", ["sender", "janitor", "writer", "heartbeat"])
def test_every_background_job_uses_the_pattern(make, tmp_path):
    from kebabalab.clock import FixedClock
    from kebabalab.messaging.outbox import OutboxSender
    from kebabalab.messaging.sms import LogTransport
    from kebabalab.service.privacy import HistoryJanitor
    from kebabalab.store import Database
    from kebabalab.store.group_commit import GroupCommit
    from kebabalab.store.heartbeat import Heartbeat
    from datetime import datetime, timezone
    clock = FixedClock(datetime(2026, 11, 27, 7, 0, tzinfo=timezone.utc))
    db = Database(f"sqlite:///{tmp_path}/bg.db", clock=clock)
    db.init()
    job = {"sender": lambda: OutboxSender(db, LogTransport(), clock), "janitor": lambda: HistoryJanitor(db, clock, 365),
           "writer": lambda: GroupCommit(lambda items: items), "heartbeat": lambda: Heartbeat(db, clock)}[make]()
    assert isinstance(job._worker, BackgroundThread)  # start, stop, fork and errors: one way
    db.close()

"""No request answers 500: Hypothesis drives every URL pattern's GET with odd query strings
and path parameters, and every form's POST with odd values, as an anonymous visitor, a
public user, a contractor, staff of each group and a superuser.

The suite runs a sample; `make fuzz` (FUZZ_REQUESTS=5000) runs the full budget."""

import os
import time

import pytest

from tests.conftest import SUMMARY_PROPERTY
from tests.fuzz.engine import Fuzzer, quiet_logs
from tests.fuzz.world import MONDAY_MORNING, world_build

# Requests the suite's sample makes (about 10 seconds): every URL pattern once, and a
# Hypothesis-made request or two for some of the forms and pages. FUZZ_REQUESTS asks for
# more.
SAMPLE_REQUESTS = 400


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_URL = "http://testserver"


def test_no_request_answers_500(demo_city, time_machine, record_property):
    budget = int(os.environ.get("FUZZ_REQUESTS") or SAMPLE_REQUESTS)
    time_machine.move_to(MONDAY_MORNING, tick=True)
    started = time.perf_counter()
    world = world_build()
    fuzzer = Fuzzer(world)
    with quiet_logs():
        fuzzer.run(budget)
    seconds = time.perf_counter() - started
    record_property(
        SUMMARY_PROPERTY,
        f"fuzz: {fuzzer.requests} requests, {fuzzer.errors} responses of 500 ({seconds:.0f} s)",
    )
    assert not fuzzer.failures, fuzzer.report()

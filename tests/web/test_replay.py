"""A signed webhook request replayed within the HMAC window never runs again: it gets the first reply again.

Signed as Vapi's HMAC credential signs (HMACAuthenticationPlan in VapiAI/docs fern/apis/api/openapi.json:
hex HMAC-SHA256 of "{x-timestamp}.{raw body}"; see tests/web/test_security.py's `signed`).
"""
import threading

import pytest
from werkzeug.datastructures import Headers

from test_security import CALL_ID, HMAC_KEY, SECRET, now_seconds, post, signed, state_changing_body
from kebabalab.store.replay import REPLAY_SECONDS, replay_key
from kebabalab.web.app import create_app


def worker(settings, clock, **changes):
    return create_app(settings.replace(allow_unauthenticated=False,
                                       vapi_webhook_secret=SECRET, vapi_hmac_secret=HMAC_KEY, **changes),
                      clock=clock, start_sender=False)


def menu_texts(services) -> int:
    return services.db.texts_for_call(CALL_ID)


def cart(services) -> list[str]:
    session = services.sessions.get(CALL_ID)
    return [line.item_id for line in session.cart] if session else []


def test_a_signed_request_sent_three_times_runs_once_and_each_copy_gets_the_first_reply(settings, clock):
    app = worker(settings, clock)
    services, client = app.extensions["kebabalab"], app.test_client()
    body = state_changing_body()
    headers = signed(body, str(now_seconds(clock)))
    rewritten = {**headers, "X-Signature": "sha256=" + headers["X-Signature"].upper()}  # the same signature
    replies = [post(client, body, h) for h in (headers, headers, rewritten)]
    assert [(r.status_code, r.get_json()) for r in replies[1:]] == [(200, replies[0].get_json())] * 2
    assert (cart(services), menu_texts(services)) == (["KEBAB"], 1)  # one line and one text, not three
    app.extensions["kebabalab"].stop_background()


@pytest.mark.slow
def test_with_redis_a_copy_sent_to_another_worker_is_not_run_again(settings, clock, fresh_redis_url):
    apps = [worker(settings, clock, redis_url=fresh_redis_url) for _ in range(2)]  # several workers need Redis
    body = state_changing_body()
    headers = signed(body, str(now_seconds(clock)))
    replies = [post(app.test_client(), body, headers).get_json() for app in apps]
    services = apps[0].extensions["kebabalab"]
    assert (replies[1], cart(services), menu_texts(services)) == (replies[0], ["KEBAB"], 1)
    assert len(list(services.sessions.client.scan_iter("kebabalab:replay:*"))) == 1
    for app in apps:
        app.extensions["kebabalab"].stop_background()


def test_copies_arriving_together_run_once_and_all_get_its_reply(settings, clock):
    app = worker(settings, clock)
    services = app.extensions["kebabalab"]
    body = state_changing_body()
    headers = signed(body, str(now_seconds(clock)))
    start, replies = threading.Barrier(4), [None] * 4

    def send(n):
        client = app.test_client()
        start.wait()
        replies[n] = post(client, body, headers).get_json()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert replies[1:] == [replies[0]] * 3
    assert (cart(services), menu_texts(services)) == (["KEBAB"], 1)
    services.stop_background()


def test_a_copy_that_outwaits_a_first_still_running_is_told_so_and_runs_nothing(settings, clock):
    """SECURITY.md: a copy waits for the first request's reply, then every tool call in it answers "still
    working on that one". The first is held running by claiming its key, as the first request does."""
    app = worker(settings, clock)
    services, client = app.extensions["kebabalab"], app.test_client()
    services.replays.wait_seconds = 0.2  # 10 s in production
    body = state_changing_body()
    headers = signed(body, str(now_seconds(clock)))
    key = replay_key(Headers(headers), body)  # as the app reads it, from headers of any case
    assert key is not None and services.replays.store.claim(key) is None  # the first copy, still running
    copy = post(client, body, headers)
    still = "I'm still working on that one; give me a moment."
    assert (copy.status_code, copy.get_json()) == (200, {"results": [
        {"toolCallId": "tc_add", "name": "quickAddItem", "error": still},
        {"toolCallId": "tc_text", "name": "sendMenuLink", "error": still}]})
    assert (cart(services), menu_texts(services)) == ([], 0)
    services.stop_background()


def test_the_same_body_signed_again_later_is_a_new_request(settings, clock):
    app = worker(settings, clock)
    services, client = app.extensions["kebabalab"], app.test_client()
    body = state_changing_body()
    post(client, body, signed(body, str(now_seconds(clock))))
    clock.advance(seconds=1)
    post(client, body, signed(body, str(now_seconds(clock))))
    assert (cart(services), menu_texts(services)) == (["KEBAB", "KEBAB"], 2)
    services.stop_background()


def test_a_copy_arriving_at_the_far_end_of_the_signature_window_is_still_caught(settings, clock):
    """Signed by a clock 299 s ahead, the first copy and the last valid one arrive 598 s apart: still one run."""
    app = worker(settings, clock)
    services, client = app.extensions["kebabalab"], app.test_client()
    body = state_changing_body()
    headers = signed(body, str(now_seconds(clock) + 299))
    first = post(client, body, headers)
    clock.advance(seconds=598)
    again = post(client, body, headers)
    assert (first.status_code, again.status_code, again.get_json()) == (200, 200, first.get_json())
    assert (cart(services), menu_texts(services)) == (["KEBAB"], 1)
    services.stop_background()


def test_what_was_seen_is_forgotten_once_no_copy_could_pass_the_signature_check(settings, clock):
    app = worker(settings, clock)
    services, client = app.extensions["kebabalab"], app.test_client()
    body = state_changing_body()
    headers = signed(body, str(now_seconds(clock)))
    post(client, body, headers)
    clock.advance(seconds=301)
    assert post(client, body, headers).status_code == 401  # too old: refused before the replay check
    clock.advance(seconds=REPLAY_SECONDS)
    post(client, body, signed(body, str(now_seconds(clock))))  # a later request: prunes the first
    assert len(services.replays.store._seen) == 1
    services.stop_background()


def test_a_replay_is_caught_under_any_hmac_plan_vapi_allows(settings, clock):
    """The key follows the configured plan (HMACAuthenticationPlan: algorithm, encoding, header names, prefix,
    payload format), not Vapi's default header names: a sha512/base64 plan with its own headers is caught too."""
    import base64
    import hashlib
    import hmac

    from kebabalab.hmac_plan import HmacPlan
    plan = HmacPlan(algorithm="sha512", encoding="base64", signature_header="x-vapi-signature",
                    timestamp_header="x-vapi-timestamp", signature_prefix="v1=",
                    payload_format="{timestamp}:{body}").check()
    app = worker(settings, clock, vapi_hmac_plan=plan)
    services, client = app.extensions["kebabalab"], app.test_client()
    body, stamp = state_changing_body(), str(now_seconds(clock))
    digest = hmac.new(HMAC_KEY.encode(), stamp.encode() + b":" + body, hashlib.sha512).digest()
    headers = {"x-vapi-timestamp": stamp, "x-vapi-signature": "v1=" + base64.b64encode(digest).decode()}
    replies = [post(client, body, headers) for _ in range(2)]
    assert [r.status_code for r in replies] == [200, 200]
    assert replies[1].get_json() == replies[0].get_json()
    assert (cart(services), menu_texts(services)) == (["KEBAB"], 1)
    services.stop_background()

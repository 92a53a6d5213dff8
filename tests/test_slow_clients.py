"""Slow clients against the real `serve` process (gunicorn and waitress) on loopback: 200 connections that
trickle their headers or their body hold no thread, /health and a tool call are answered throughout, every
slow connection is closed within seconds, and a stranger's webhook request is refused before its body."""
from __future__ import annotations

import itertools
import json
import socket
import time

import pytest
import requests

from kebabalab import __version__
from kebabalab.cli.request_framing import Head, TooLarge, read_head, request_end
from tests.slow_clients import SlowClients
from tests.cli.test_serve_cli import SECRET, start, tool_call_body  # noqa: F401 (start: the fixture)

pytestmark = pytest.mark.slow
SERVERS = pytest.mark.parametrize("args", [(), ("--server", "waitress")], ids=["gunicorn", "waitress"])
ATTACK_SECONDS = 9.0  # READ_SECONDS (5) for the slow requests, plus the once-a-second sweep, plus margin
ANSWER_TIMEOUT = 2.0  # a /health or tool call not answered in this long counts as hanging


@SERVERS
def test_200_slow_clients_neither_stop_the_service_nor_stay_connected(start, args):
    server = start(*args, VAPI_WEBHOOK_SECRET=SECRET)
    server.wait_healthy()
    slow = SlowClients(server.port, 100, SECRET)
    answered = []
    try:
        until = time.monotonic() + ATTACK_SECONDS
        for n in itertools.count():
            if time.monotonic() > until:
                break
            slow.trickle()
            health = requests.get(f"{server.url}/health", timeout=ANSWER_TIMEOUT)
            tool = requests.post(f"{server.url}/webhook", json=tool_call_body(f"during-attack-{n}"),
                                 headers={"X-Vapi-Secret": SECRET}, timeout=ANSWER_TIMEOUT)
            answered.append((health.status_code, tool.status_code, "coke" in tool.json()["results"][0]["result"]))
            time.sleep(0.25)
        slow.trickle()
    finally:
        slow.close_all()
    assert len(answered) >= 10 and set(answered) == {(200, 200, True)}
    assert (slow.closed, len(slow.open)) == (200, 0)
    # gunicorn's front answers 408 before closing (README says so); waitress closes without a word
    assert set(slow.answers) == (set() if args == ("--server", "waitress") else {b"HTTP/1.1 408 Request Timeout"})


@SERVERS
def test_a_stranger_is_refused_before_the_body_is_sent(start, args):
    server = start(*args, VAPI_WEBHOOK_SECRET=SECRET)
    server.wait_healthy()
    with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_TIMEOUT) as sock:
        sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: shop\r\nX-Vapi-Secret: a guess\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        answer = sock.recv(4096)  # the body never comes: a server waiting for it times the recv out
        closed = sock.recv(4096)
    assert answer.split(b"\r\n")[0] == b"HTTP/1.1 401 Unauthorized"
    assert answer.endswith(b'{"error": "missing or wrong webhook credential"}')
    assert closed == b""


def head(data: bytes) -> Head:
    found = read_head(data)
    assert found is not None
    return found


POST = b"POST /webhook HTTP/1.1\r\nHost: shop\r\n"


@pytest.mark.parametrize("data, end", [
    (b"GET /health HTTP/1.1\r\nHost: shop\r\n\r\n", 36),
    (POST + b"Content-Length: 5\r\n\r\nhello", 62),
    (POST + b"Content-Length: 5\r\n\r\nhell", None),
    (POST + b"Content-Length: 5\r\n\r\nhelloGET /", 62),  # the next request, pipelined, is not this one's
    (POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 81),
    (POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n", 95),
    (POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", None),
    (POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhel", None),
    # what the front cannot frame for sure goes to gunicorn at once, which refuses it (400)
    (POST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhel", 85),
    (POST + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhel", 76),
    (POST + b"Transfer-Encoding: gzip\r\n\r\nhel", 63),
    (POST + b"Content-Length: -5\r\n\r\nhel", 58),
], ids=["get", "whole-body", "body-short", "pipelined", "chunked", "chunked-trailer", "chunked-no-end",
        "chunk-short", "length-and-chunked", "two-lengths", "gzip-coding", "negative-length"])
def test_request_end_frames_what_gunicorn_will_read(data, end):
    assert request_end(data, head(data), 1024 * 1024) == end


def test_request_head_is_none_until_the_blank_line_and_refused_past_64_kb():
    assert read_head(POST + b"Content-Length: 5\r\n") is None
    with pytest.raises(TooLarge) as refused:
        read_head(POST + b"X-Pad: " + b"a" * 70_000)
    assert (refused.value.status, refused.value.message) == (431, "request headers too large")


@pytest.mark.parametrize("data", [POST + b"Content-Length: 2000000\r\n\r\n",
                                  POST + b"Transfer-Encoding: chunked\r\n\r\n200000\r\n" + b"a" * 10],
                         ids=["length", "chunk-size"])
def test_a_body_over_the_limit_is_refused_before_it_arrives(data):
    with pytest.raises(TooLarge) as refused:
        request_end(data, head(data), 1024 * 1024)
    assert (refused.value.status, refused.value.message) == (413, "body too large (1 MB at most)")


def test_a_client_that_expects_100_continue_is_told_to_send_its_body(start):
    server = start(VAPI_WEBHOOK_SECRET=SECRET)  # gunicorn: its front holds the body back from the app
    server.wait_healthy()
    body = json.dumps(tool_call_body("expects-continue")).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_TIMEOUT) as sock:
        sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: shop\r\nX-Vapi-Secret: " + SECRET.encode() +
                     b"\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        assert sock.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"  # as curl waits for before a body over 1 KB
        sock.sendall(body)
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    informational, _, final = answer.rpartition(b"HTTP/1.1 200 OK\r\n")
    assert informational == b"HTTP/1.1 100 Continue\r\n\r\n"  # gunicorn says it again: a client allows that
    assert b"Added 2 x coke can" in final


def test_a_body_announced_over_one_megabyte_is_413_before_the_credential_and_the_body(start):
    server = start(VAPI_WEBHOOK_SECRET=SECRET)  # gunicorn's front; the app answers the same (test_security.py)
    server.wait_healthy()
    with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_TIMEOUT) as sock:
        sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 2000000\r\n\r\n")
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    assert answer.split(b"\r\n")[0] == b"HTTP/1.1 413 Content Too Large"
    assert answer.endswith(b'{"error": "body too large (1 MB at most)"}')


def test_requests_sent_back_to_back_on_one_connection_are_each_answered_in_order(start):
    server = start(VAPI_WEBHOOK_SECRET=SECRET)  # gunicorn: the front reads ahead, then hands over one at a time
    server.wait_healthy()
    body = json.dumps(tool_call_body("pipelined")).encode()
    tool = (b"POST /webhook HTTP/1.1\r\nHost: shop\r\nX-Vapi-Secret: " + SECRET.encode() +
            b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_TIMEOUT) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: shop\r\n\r\n" + tool + tool +
                     b"GET /health HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n")
        answers = b"".join(iter(lambda: sock.recv(65536), b""))
    assert answers.count(b"HTTP/1.1 200 OK\r\n") == 4
    assert [answers.find(said) > 0 for said in (b"The total is now $7.", b"The total is now $14.")] == [True, True]
    assert answers.find(b"The total is now $7.") < answers.find(b"The total is now $14.")
    assert answers.rstrip().endswith(b'"status":"healthy","version":"%s"}' % __version__.encode())

"""README's trial section says what the app answers: the sample webhook reply and the board API's sign-in steps
(a token from /api/session to sign in, then the new one the sign-in answers with)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def settings(settings):
    return settings.replace(staff_password="kebabalab")  # what `make run` uses


def test_the_sample_webhook_reply_is_the_one_readme_quotes(client):
    body = json.loads((ROOT / "tests/fixtures/vapi/tool-calls.json").read_text())
    result = json.loads(client.post("/webhook", json=body).get_json()["results"][0]["result"])
    assert f"`{result['message']}`\nwith `\"lineTotal\":{result['added'][0]['lineTotal']}`" in README
    assert result["message"] == ("Added large lamb kebab, garlic sauce. The total is now $15. Ask once, in these "
                                 "words: Would you like to make that a meal, with small chips and a can, for $7 more?")


def test_the_board_api_sign_in_steps_work_as_written(client):
    steps = re.search(r"With `make run` going:\n\n```\n(.*?)```", README, re.S).group(1)
    assert '-d \'{"password": "kebabalab"}\'' in steps and "-H 'X-CSRF-Token: T1...'" in steps
    session = client.get("/api/session").get_json()
    assert session["signedIn"] is False and '{"csrfToken":"T1...","signedIn":false}' in steps
    refused = client.post("/board/login", json={"password": "kebabalab"})
    assert (refused.status_code, refused.get_json()) == (403, {"error": "missing or wrong CSRF token; reload the board"})
    assert 'answer is 403 `{"error":"missing or wrong CSRF token; reload the board"}`' in README
    signed = client.post("/board/login", json={"password": "kebabalab"}, headers={"X-CSRF-Token": session["csrfToken"]})
    assert signed.get_json()["signedIn"] is True and signed.get_json()["csrfToken"] != session["csrfToken"]
    orders = client.get("/api/orders").get_json()
    assert f'"statuses":{json.dumps(orders["statuses"], separators=(",", ":"))}' in steps
    busy = client.post("/api/availability", json={"busyMinutes": 10},
                       headers={"X-CSRF-Token": signed.get_json()["csrfToken"]})
    assert busy.get_json()["busyMinutes"] == 10 and '# {"busyMinutes":10,...}' in steps
    stale = client.post("/api/availability", json={"busyMinutes": 0}, headers={"X-CSRF-Token": session["csrfToken"]})
    assert stale.status_code == 403  # the token from before signing in no longer works


def test_make_run_prints_the_board_address_readme_quotes(tmp_path):
    code = re.search(r"^BOARD := (.*?)\n\n", (ROOT / "Makefile").read_text(), re.S | re.M).group(1)
    code = code.replace("\\\n\t", "")  # the recipe's continuation lines, as make joins them
    env = {"PATH": os.environ["PATH"], "STAFF_PASSWORD": "kebabalab", "PYTHONPATH": str(ROOT)}
    shown = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                           check=True).stdout.strip()
    assert shown == "Order board: http://127.0.0.1:5000/board  (staff password: kebabalab)"
    assert f"it prints `{shown}` before it" in README

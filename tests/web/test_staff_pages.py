"""A new board page built with staff_blueprint(): the guard, CSRF, headers and the owner-only rule."""
import pytest
from flask import jsonify

from kebabalab.web.app import create_app
from kebabalab.web.staff_pages import current_staff, owner_required, staff_blueprint
from tests.web.test_board import csrf, settings, sign_in  # noqa: F401  (settings is a fixture)

page = staff_blueprint("example_page", __name__)


@page.get("/api/example/who")
def who():
    staff = current_staff()
    return jsonify({"name": staff.name, "role": staff.role})


@page.post("/api/example/price")
@owner_required
def change_price():
    return jsonify({"changed": True})


@pytest.fixture
def page_client(settings):  # noqa: F811
    app = create_app(settings, start_sender=False)
    app.register_blueprint(page)
    return app, app.test_client()


def test_signed_out_is_refused_and_headers_are_set(page_client):
    _, client = page_client
    response = client.get("/api/example/who")
    assert (response.status_code, response.get_json()) == (401, {"error": "sign in to the board first"})
    assert response.headers["X-Frame-Options"] == "DENY"


def test_shared_password_signs_in_as_the_owner(page_client):
    _, client = page_client
    assert sign_in(client).status_code == 200
    assert client.get("/api/example/who").get_json() == {"name": "Owner", "role": "owner"}
    refused = client.post("/api/example/price", json={})
    assert (refused.status_code, refused.get_json()) == (
        403, {"error": "missing or wrong CSRF token; reload the board"})
    allowed = client.post("/api/example/price", json={}, headers={"X-CSRF-Token": csrf(client)})
    assert (allowed.status_code, allowed.get_json()) == (200, {"changed": True})


def test_staff_role_cannot_reach_an_owner_route(page_client):
    _, client = page_client
    assert sign_in(client).status_code == 200
    with client.session_transaction("/board") as flask_session:
        flask_session["staff_name"], flask_session["role"] = "Ali", "staff"
    assert client.get("/api/example/who").get_json() == {"name": "Ali", "role": "staff"}
    refused = client.post("/api/example/price", json={}, headers={"X-CSRF-Token": csrf(client)})
    assert (refused.status_code, refused.get_json()) == (
        403, {"error": "only the owner can do that; sign in as the owner"})

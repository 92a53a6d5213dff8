"""/metrics in Prometheus text, behind METRICS_TOKEN."""
import pytest

from conftest import VapiCall
from kebabalab.web.app import create_app


@pytest.fixture
def app(settings, clock):
    app = create_app(settings.replace(metrics_token="s3cret-token"), clock=clock, start_sender=False)
    yield app
    app.extensions["kebabalab"].stop_background()


def sample(text: str, line_start: str) -> float:
    [line] = [l for l in text.splitlines() if l.startswith(line_start + " ")]
    return float(line.rsplit(" ", 1)[1])


def test_metrics_need_the_token(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_metrics_count_tool_calls_orders_sms_and_sessions(client, services):
    call = VapiCall(client)
    call.ok("quickAddItem", description="a large lamb kebab")
    call.error("quickAddItem", description="a kebab")
    call.ok("setPickupTime", requestedTime="in 20 minutes")
    call.ok("createOrder", customerName="Sam")
    services.sender.run_once()
    VapiCall(client, call_id="other").ok("getCartState")
    text = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).get_data(as_text=True)
    assert sample(text, 'kebabalab_tool_calls_total{outcome="ok",shop="main",tool="quickAddItem"}') == 1
    assert sample(text, 'kebabalab_tool_calls_total{outcome="refused",shop="main",tool="quickAddItem"}') == 1
    assert sample(text, 'kebabalab_tool_call_seconds_count{tool="quickAddItem"}') == 2
    assert sample(text, 'kebabalab_orders_placed_total{shop="main"}') == 1
    assert sample(text, 'kebabalab_sms_total{outcome="logged"}') == 2
    assert sample(text, "kebabalab_active_sessions") == 2


def test_metrics_closed_without_a_token(settings, clock):
    app = create_app(settings, clock=clock, start_sender=False)
    assert app.test_client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401

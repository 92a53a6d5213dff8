"""The owners' notices job with several shops, on both engines: each shop's notice is texted from that shop's own
number (the real twilio library against the fake Twilio on 127.0.0.1), and one shop's check that fails does not
keep the other shops' owners uninformed."""
from conftest import T0
from kebabalab.clock import FixedClock
from kebabalab.errors import StoreError
from kebabalab.messaging.sms import TwilioTransport
from kebabalab.service.owner_notices import OwnerNotices
from kebabalab.store.owner_notices import Notice, claim_notice
from tests.web.test_delivery_receipts import twilio  # noqa: F401  (a fixture)

FAILING = "Texts have been failing since 6:30 pm: customers and the shop may not get them."


def test_a_shops_check_that_fails_leaves_the_others_and_each_text_comes_from_its_shops_number(db, twilio):  # noqa: F811
    transport = TwilioTransport("AC" + "0" * 32, "token", "+61400000000", api_base_url=twilio.base_url)

    def main_check(now):
        raise StoreError("the database did not answer")

    def fitzroy_check(now):
        claim_notice(db, "texts-failing:7", [Notice("text", "+61411222444", "Kebabalab Fitzroy phone line: needs a "
                                                    "look", FAILING)], now, "fitzroy")

    def carlton_check(now):
        claim_notice(db, "texts-failing:8", [Notice("text", "+61411222555", "Kebabalab Carlton phone line: needs a "
                                                    "look", FAILING)], now, "carlton")

    notices = OwnerNotices(db, FixedClock(T0), transport, None, [main_check, fitzroy_check, carlton_check],
                           from_number={"fitzroy": "+61480000002"}.get)
    assert notices.run_once() == {"sent": 2, "failed": 0}
    assert sorted((r.to, r.from_, r.body) for r in twilio.sent) == [
        ("+61411222444", "+61480000002", FAILING),  # Fitzroy's own number
        ("+61411222555", "+61400000000", FAILING)]  # Carlton has none: TWILIO_FROM_NUMBER

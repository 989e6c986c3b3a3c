"""The idle timer and the session wipe, without a display."""

from kiosk.idle import IdleTimer
from service.contract.privacy import mask_text
from kiosk.session import Session


def test_idle_timer_warns_then_expires_and_touch_resets():
    now = [0.0]
    t = IdleTimer(90, 15, clock=lambda: now[0])
    assert t.poll() == ("idle", 0)
    now[0] = 75.5
    assert t.poll() == ("warning", 15)
    now[0] = 89.2
    assert t.poll() == ("warning", 1)
    t.touched()
    assert t.poll() == ("idle", 0)
    now[0] += 90
    assert t.poll() == ("expired", 0)
    t.paused = True
    assert t.poll() == ("idle", 0)


def test_wipe_forgets_data_people_and_redactor():
    s = Session()
    s.data["trade_name"] = "星河"
    s.remember_person({"name": "陈美玲", "id_number": "441702199003150027"})
    assert mask_text("陈美玲") == "陈**"
    old = s.visit_id
    s.wipe("test")
    assert s.empty and s.visit_id != old
    assert mask_text("陈美玲") == "陈美玲"

"""Scripts for the scripted citizen (screens.autopilot), run by the UI tests in their own process."""

from __future__ import annotations


def home_language_idle(p):
    """Home → language switch → idle countdown → wipe → home, in Chinese again."""
    app = p.app
    yield 0.3
    p.expect_screen("home")
    p.shot("home-zh")
    p.expect(p.widget("open").title == "开办企业", "home shows 开办企业")
    p.tap("lang")
    yield 0.3
    p.expect(app.lang == "en", "language switched to en")
    p.expect(p.widget("open").title == "Open a company", "home shows Open a company")
    p.shot("home-en")
    p.tap("open")
    yield 0.4
    p.expect_screen("entity_type")
    p.tap("llc")
    yield 0.4
    p.expect(app.journey is not None and app.journey.draft.entity_type == "llc", "entity type chosen")
    app.session.data["trade_name"] = "星河"  # something typed in this visit
    # let time pass: jump the idle clock to the warning window
    app.idle._last -= app.idle.timeout_s - app.idle.warning_s + 1
    yield 0.6
    overlay = app.root.ids.idle
    p.expect(overlay.seconds > 0 and overlay.seconds <= app.idle.warning_s, "idle countdown visible")
    p.shot("idle-warning")
    p.tap(overlay.ids.keep)
    yield 0.4
    p.expect(overlay.seconds == 0 and app.sm.current == "applicant_card", "continue keeps the visit")
    p.expect(app.journey.draft.entity_type == "llc", "the journey's answers kept")
    p.expect(app.session.data.get("trade_name") == "星河", "nothing lost on continue")
    app.idle._last -= app.idle.timeout_s + 1
    yield 0.6
    p.expect_screen("home")
    p.expect(app.session.empty and app.journey is None, "session and journey wiped")
    p.expect(app.lang == "zh", "language back to Chinese")
    p.expect(app.session.wipes == 1, "one wipe")
    p.shot("home-after-wipe")
    p.result["wipes"] = app.session.wipes


def maintenance_pin(p):
    """Long-press the corner → PIN pad → wrong PIN five times → locked; the right PIN is refused while locked."""
    from kivy.core.window import Window

    app = p.app
    yield 0.3
    touch = p.press(Window.width - 20, Window.height - 20)
    yield app.cfg.maintenance.corner_hold_s + 0.4
    touch.touch_up()
    yield 0.3
    p.expect_screen("pin")
    p.shot("pin")
    pad = p.widget("pad")
    keys = {k.text: k for k in pad.children}
    for _attempt in range(5):
        for digit in "1111":
            p.tap(keys[digit])
        p.tap("ok")
        yield 0.5  # PBKDF2 of the development PIN
    p.expect(app.pin_gate.locked_for > 0, "PIN pad locked after five wrong tries")
    p.expect("锁定" in p.widget("message").text, "locked message shown")
    p.shot("pin-locked")
    for digit in "246810":
        p.tap(keys[digit])
    p.tap("ok")
    yield 0.4
    p.expect_screen("pin")
    p.result["events"] = [e for e, _ in app.events if e.startswith("pin")]


def maintenance_enter(p):
    """The development PIN opens maintenance mode; leaving wipes and returns home."""
    from kivy.core.window import Window

    app = p.app
    yield 0.3
    touch = p.press(Window.width - 20, Window.height - 20)
    yield app.cfg.maintenance.corner_hold_s + 0.4
    touch.touch_up()
    yield 0.3
    p.expect_screen("pin")
    keys = {k.text: k for k in p.widget("pad").children}
    for digit in "246810":
        p.tap(keys[digit])
    p.tap("ok")
    yield 0.6
    p.expect_screen("maintenance")
    p.shot("maintenance")
    p.tap("exit")
    yield 0.4
    p.expect_screen("home")


def _enter_pin(p, pin):
    keys = {k.text: k for k in p.widget("pad").children}
    for digit in pin:
        p.tap(keys[digit])
    p.tap("ok")


def _scroll_to(widget):
    """Bring ``widget`` into its ScrollView's viewport, as a finger would by scrolling."""
    parent = widget.parent
    while parent is not None and not hasattr(parent, "scroll_to"):
        parent = parent.parent
    if parent is not None:
        parent.scroll_to(widget, padding=10, animate=False)


def _press_on_card(p, card, button):
    """Scroll the device card into view, tap one of its buttons, wait until its check has answered."""
    _scroll_to(card)
    yield 0.2
    p.tap(card.ids[button])
    for _ in range(80):
        yield 0.25
        if not card.busy:
            return


def _wait_idle(screen, limit=80):
    for _ in range(limit):
        yield 0.25
        if not screen.busy:
            return


def _hold_corner(p):
    from kivy.core.window import Window

    touch = p.press(Window.width - 20, Window.height - 20)
    yield p.app.cfg.maintenance.corner_hold_s + 0.4
    touch.touch_up()
    yield 0.3


def maintenance_full(p):
    """The right PIN opens maintenance; a test print goes through the receipt simulator; the full check,
    the platform link, the log and the configuration are shown; then five wrong PINs lock the pad."""
    app = p.app
    printer = app.runtime.devices["receipt_printer"]
    yield 0.3
    yield from _hold_corner(p)
    p.expect_screen("pin")
    _enter_pin(p, "246810")
    yield 0.6
    p.expect_screen("maintenance")
    screen = p.screen()
    yield 0.3
    kinds = [c.row["kind"] for c in screen._box("devices").children[::-1]]
    p.expect(kinds == ["idcard", "camera", "qr_scanner", "receipt_printer", "document_printer"],
             f"a card for every device ({kinds})")
    p.shot("maintenance-devices")
    before = len(printer.simulator.jobs)
    card = screen.card("receipt_printer")
    yield from _press_on_card(p, card, "test")
    jobs = printer.simulator.wait_for_jobs(before + 1, timeout=5)
    p.expect(len(jobs) == before + 1, "the test page came out of the receipt simulator")
    p.expect("打印机自检" in jobs[-1].text and jobs[-1].cut and jobs[-1].qr, "self-test text, QR and cut")
    p.expect(card.result_ok and "job" in card.result, f"test print reported ({card.result!r})")
    p.expect(card.row["counters"].get("jobs_printed", 0) >= 1, "the printed-jobs counter counts it")
    p.shot("maintenance-test-print")
    p.result["test_page"] = jobs[-1].text
    # the card reader, interactively: the engineer places a card and sees a masked result
    reader = app.runtime.devices["idcard"]
    reader.simulator.place("zhang")
    card = screen.card("idcard")
    yield from _press_on_card(p, card, "test")
    p.expect(card.result_ok and "resident" in card.result and "张伟明" not in card.result,
             f"a card read, name masked ({card.result!r})")
    reader.simulator.remove()
    # the printer runs out of paper: the external check says so, in Chinese
    printer.simulator.set_state("paper_out")
    card = screen.card("receipt_printer")
    yield from _press_on_card(p, card, "check")
    p.expect(not card.result_ok and "纸" in card.result, f"paper out shown ({card.result!r})")
    p.expect(card.row["state"] == "user_error", "state: needs attention")
    yield 0.3
    p.expect(card.ids.state.text == "需现场处理", f"the card shows it ({card.ids.state.text!r})")
    p.shot("maintenance-paper-out")
    printer.simulator.set_state("ready")
    p.tap("nav_checks")
    yield 0.2
    p.tap("run_all")
    yield from _wait_idle(screen)
    names = [c["check"] for c in screen.checks]
    p.expect("platform" in names and "disk" in names and "outbox" in names, f"full check rows ({names})")
    p.expect(all(c["ok"] for c in screen.checks if c["required"]), "all required checks pass again")
    p.shot("maintenance-checks")
    p.tap("nav_platform")
    yield from _wait_idle(screen)
    p.shot("maintenance-platform")
    p.tap("nav_logs")
    yield 0.3
    p.expect("maintenance action" in screen.log_text, "maintenance actions are in the log")
    p.shot("maintenance-logs")
    p.tap("nav_config")
    yield 0.3
    secret = app.cfg.maintenance.pin_hash
    p.expect("pin_hash = " in screen.config_text and (not secret or secret not in screen.config_text),
             "the PIN hash is never shown")
    p.shot("maintenance-config")
    p.tap("exit")
    yield 0.4
    p.expect_screen("home")
    # five wrong PINs lock the pad; the right one is then refused too
    yield from _hold_corner(p)
    p.expect_screen("pin")
    for _ in range(5):
        _enter_pin(p, "1111")
        yield 0.5
    p.expect(app.pin_gate.locked_for > 0, "locked after five wrong PINs")
    _enter_pin(p, "246810")
    yield 0.5
    p.expect_screen("pin")
    p.result["events"] = [list(e) for e in app.events if e[0] in ("maintenance", "pin_wrong", "pin_locked")]


def keyboard_typing(p):
    """The trade name typed on the on-screen keyboard by touches: pinyin and a candidate, space for the
    first candidate, backspace, the language switched mid-word without losing anything, digits."""
    from kiosk.journeys.registration import RegistrationJourney, Step

    app = p.app
    yield 0.3
    journey = RegistrationJourney(kiosk_id=app.cfg.kiosk.id)
    journey.draft.entity_type = "llc"
    journey.current = Step.NAME
    app.journey = journey
    app.show_journey()
    yield 0.5
    kb = app.keyboard
    name = p.screen()
    p.expect(kb.shown and kb.target is name.ids.trade, "the keyboard comes up with the name step")
    p.shot("keyboard-up")
    for letter in "xinghuo":
        p.tap(kb.key_button(letter))
    yield 0.2
    p.expect(kb.composing == "xinghuo" and kb.spelled == "xing'huo", f"letters shown as syllables ({kb.spelled})")
    p.expect(kb.candidates[:1] == ["星火"], f"星火 offered first ({kb.candidates})")
    p.shot("keyboard-candidates")
    p.tap(kb.ids.cand0)
    yield 0.1
    p.expect(name.ids.trade.text == "星火" and kb.composing == "", "星火 written")
    for letter in "lanhai":
        p.tap(kb.key_button(letter))
    p.tap(kb.key_button("space"))
    yield 0.1
    p.expect(name.ids.trade.text == "星火蓝海", f"space takes the first candidate ({name.ids.trade.text})")
    p.tap(kb.key_button("back"))
    p.tap(kb.key_button("back"))
    yield 0.1
    p.expect(name.ids.trade.text == "星火", "backspace removes characters")
    for letter in "lan":
        p.tap(kb.key_button(letter))
    p.tap(p.widget("tool_lang"))
    yield 0.3
    p.expect(app.lang == "en" and kb.composing == "lan" and name.ids.trade.text == "星火",
             "switching language keeps the field and the letters being typed")
    p.expect(kb.key_button("done").text == "Done", "the keys speak English now")
    p.shot("keyboard-english-ui")
    p.tap(p.widget("tool_lang"))
    yield 0.2
    for _ in range(3):
        p.tap(kb.key_button("back"))
    p.tap(kb.key_button("mode:digits"))
    yield 0.1
    p.tap(kb.key_button("8"))
    p.expect(name.ids.trade.text == "星火8", "digits layout types digits")
    p.tap(kb.key_button("back"))
    p.tap(kb.key_button("mode:pinyin"))
    yield 0.1  # new keys are laid out on the next frame
    p.tap(kb.key_button("mode:english"))
    yield 0.1
    p.tap(kb.key_button("caps"))
    yield 0.1
    p.tap(kb.key_button("a"))
    p.expect(name.ids.trade.text == "星火A", "English layout with shift")
    p.tap(kb.key_button("back"))
    p.tap(kb.key_button("done"))
    yield 0.6
    p.expect(not kb.shown and name.trade_name == "星火", "done hides the keyboard; the name is kept")
    p.expect(bool(name.check) or bool(name.checking), "the live name check runs on what was typed")
    p.shot("keyboard-done")
    p.result["trade"] = name.trade_name
    p.result["said"] = [pr.key for pr in app.voice.said]


def open_company_first_steps(p):
    """Home → open a company → entity type → the card step says the reader is missing (no device yet)."""
    yield 0.3
    p.tap("open")
    yield 0.4
    p.expect_screen("entity_type")
    p.shot("entity-type")
    p.tap("llc")
    yield 0.5
    p.expect_screen("applicant_card")
    yield 0.5
    p.shot("card")
    p.result["problems"] = [pr.message_zh for pr in p.screen().problems]


def audit_every_screen(p):
    """Every screen in zh, en and large text: no untranslated string, no small target, no low contrast."""
    from datetime import date

    from service.contract.ids import make_id
    from kiosk.journeys.registration import RegistrationJourney, Step
    from screens.audit import audit

    app = p.app
    yield 0.3
    findings = {}
    journey = RegistrationJourney(today=date(2026, 11, 22))
    journey.draft.entity_type = "llc"
    journey.draft.capital_cny = 1_000_000
    person = {"name": "张伟", "id_number": make_id("441702", date(1985, 3, 14), 11), "card_type": "resident"}
    journey.draft.applicant_card = person
    app.journey = journey
    names = [s.name for s in app.sm.screens if s.name not in ("submit",)]
    for lang, elderly in (("zh", False), ("en", False), ("zh", True)):
        app.lang = lang
        if app.session.elderly_mode != elderly:
            app.toggle_elderly()
        for name in names:
            if name in {s.value for s in Step}:
                journey.current = Step(name)
                app.show_journey()
            else:
                app.go(name)
            yield 0.25
            app.root.ids.idle.seconds = 0
            found = audit(app.sm.current_screen)
            if found:
                findings[f"{name}/{lang}/{'large' if elderly else 'std'}"] = found
            if lang == "zh" and not elderly or name in ("home", "name", "linked"):
                p.shot(f"{name}-{lang}{'-large' if elderly else ''}")
    p.result["findings"] = findings
    p.result["screens"] = len(names)


def journeys_edge_cases(p):
    """Journey 1 five times on the simulators and a loopback platform (the test reference data):
    manual review, rejected-then-corrected, printer out of paper, platform down at submit, card
    moved mid-read. Each visit ends at home with the session wiped."""
    from screens.demo_script import (describe_company, identify, open_company, people_and_items,
                                     pick_address, screen_is, sign_and_submit, wait_for)

    app = p.app
    yield 0.5
    outcomes = p.result.setdefault("outcomes", {})

    def finish(name):
        outcomes[name] = {"kind": p.screen().kind, "printed": list(app.outcome.get("printed", [])),
                          "receipts": app.outcome.get("receipts", []),
                          "decision": app.outcome["decision"].get("decision"),
                          "application_id": app.outcome["decision"].get("application_id"),
                          "acceptance_no": app.outcome["decision"].get("acceptance_no") or
                          app.outcome["application"].get("acceptance_no"),
                          "lines": list(p.screen().lines), "qr": p.screen().qr}
        p.tap("finish")
        yield from wait_for(p, screen_is(p, "home"), "home")
        p.expect(app.journey is None and app.session.empty, "the visit was wiped")

    # 1. a crowded address: manual review, an acceptance receipt with the progress code
    yield from open_company(p, trade="审核", street="新江北路", phone_number="13900000001")
    p.shot("review-result")
    yield from finish("manual_review")

    # 2. a negative-list address: rejected; one tap back to the address, nothing re-entered
    yield from identify(p, phone_number="13900000002")
    yield from describe_company(p, trade="更正", street="漠阳江路", negative=True)
    yield from people_and_items(p)
    yield from sign_and_submit(p)
    outcomes["rejected_first"] = {"kind": p.screen().kind, "lines": list(p.screen().lines)}
    p.shot("rejected-result")
    p.tap("correct")
    yield from wait_for(p, screen_is(p, "address"), "back at the address step")
    address = p.screen()
    while address.level > 0:
        p.tap("up")
        yield from wait_for(p, lambda: bool(address.options), "the level above")
    yield from pick_address(p, "东风二路")
    yield from wait_for(p, screen_is(p, "check"), "back at check your answers")
    outcomes["kept_after_correction"] = {"rows": [r[2] for r in p.screen().rows]}
    yield from sign_and_submit(p)
    yield from finish("corrected")

    # 3. the receipt printer runs out of paper before the end: the licence prints, receipts are kept
    printer = app.runtime.devices["receipt_printer"]
    printer.simulator.set_state("paper_out")
    yield from open_company(p, trade="缺纸", phone_number="13900000003")
    p.shot("paper-out-result")
    yield from finish("paper_out")
    outcomes["paper_out"]["kept_jobs"] = len(printer.pending())
    printer.simulator.set_state("ready")

    # 4. the platform is unreachable at submit: queued, acceptance receipt, delivered later
    client = app.services.platform()
    real = client.base_url
    yield from identify(p, phone_number="13900000004")
    yield from describe_company(p, trade="断网")
    yield from people_and_items(p)
    client.base_url, client.retries = "http://127.0.0.1:9", 0  # nothing listens on port 9
    yield from sign_and_submit(p)
    p.shot("queued-result")
    yield from finish("queued")
    client.base_url, client.retries = real, 3  # the network is back: the kiosk's forwarder delivers it by itself
    outbox = app.runtime.outbox()
    yield from wait_for(p, lambda: not outbox.pending(), "the forwarder delivering the queued application", 60)
    outcomes["queued"]["delivered_by_itself"] = not outbox.pending()
    later = app.services.progress_by_number(outcomes["queued"]["acceptance_no"])
    outcomes["queued"]["later"] = later["decision"] if later else None

    # 5. the card is lifted while it is read: the citizen is told, the read succeeds when it lies still
    reader = app.runtime.devices["idcard"]
    p.tap("open")
    yield from wait_for(p, screen_is(p, "entity_type"), "entity type")
    p.tap("llc")
    yield from wait_for(p, screen_is(p, "applicant_card"), "card step")
    reader.simulator.inject("removed_mid_read")
    card_screen = p.screen()
    reader.simulator.place("zhang")
    yield from wait_for(p, lambda: bool(card_screen.problems) or app.sm.current != "applicant_card", "the read")
    outcomes["card_moved"] = {"problems": [x.message_zh for x in card_screen.problems]}
    p.shot("card-moved")
    reader.simulator.place("zhang")  # the citizen puts it back and keeps it still
    yield from wait_for(p, screen_is(p, "phone"), "the card read after all")
    reader.simulator.remove()
    app.end_visit("test over")
    yield 0.3


def single_item_visit(p):
    """Journey 2: an existing company's legal representative shows its e-licence and files items."""
    from devices.idcard.samples import SAMPLE_CARDS
    from screens.demo_script import (find_text, identify_person, screen_is, sign_and_submit,
                                     wait_for)
    from tests.servicehelp import application

    app = p.app
    yield 0.5
    zhang = SAMPLE_CARDS["zhang"]
    person = {"name": zhang.name, "id_type": "resident_id", "id_number": zhang.id_number}
    doc = application()
    doc["officers"].update(legal_representative=person, directors=[person], managers=[person])
    doc["shareholders"][0].update(person)
    doc["applicant"]["person"].update(person)
    doc["signatures"][0]["id_number"] = zhang.id_number
    from tests.servicehelp import prove_with

    doc["address"] = {"code": "441702000001", "text": "广东省阳江市江城区东风二路88号华润大厦1201室"}
    doc.update(mode="partial_chain", linked_services={})  # registered earlier, its items to be filed now
    registered = app.services.platform().submit(prove_with(app.services.platform(), doc))
    p.expect(registered["decision"] == "approved", f"the company was registered: {registered['reasons']}")
    p.tap("single")
    yield from wait_for(p, screen_is(p, "licence"), "the e-licence step")
    yield 0.5
    camera = app.runtime.devices["camera"]
    camera.simulator.show_text("hello, not a licence")
    yield 1.5
    p.shot("single-wrong-code")
    camera.simulator.show_text(registered["e_license"])
    yield from wait_for(p, screen_is(p, "applicant_card"), "the legal representative's card", 20)
    camera.simulator.show_nothing()
    yield from identify_person(p, "zhang", "13900000009")
    yield from wait_for(p, screen_is(p, "linked"), "the items")
    p.tap("all")
    p.tap(find_text(p.screen(), "中国银行"))
    yield 0.2
    p.shot("single-items")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "check"), "check your answers")
    yield from sign_and_submit(p)
    p.result["single"] = {"kind": p.screen().kind, "receipts": app.outcome.get("receipts", []),
                          "uscc": app.outcome["decision"].get("uscc"), "registered_uscc": registered["uscc"],
                          "application_id": app.outcome["decision"].get("application_id")}
    p.tap("finish")
    yield from wait_for(p, screen_is(p, "home"), "home")


# -- reliability: a visit survives a crash (tests/test_ui_reliability.py) ------------------------------------
def _answers_to_the_signing_step(p, trade):
    """After identify(): the company's answers given through the kiosk's services (the screens for them have
    their own tests), then the real check and signing screens."""
    from datetime import date, timedelta

    from devices.idcard.samples import SAMPLE_CARDS

    app = p.app
    journey = app.journey
    services = app.services
    check = services.check_name("阳江市", trade, "科技", "有限公司")
    p.expect(journey.set_name("阳江市", trade, "科技", "有限公司", check) == [], f"the name {trade} is free")
    from tests.servicehelp import ADDRESS_OK

    found = next(a for a in services.platform().search_addresses("东风二路") if a["code"] == ADDRESS_OK)
    p.expect(journey.set_address(found["code"], found["text"]) == [], "an address")
    p.expect(journey.set_scope(services.search_scopes("软件")[:1]) == [], "a scope")
    p.expect(journey.set_capital(1_000_000) == [], "the capital")
    zhang, li = SAMPLE_CARDS["zhang"], SAMPLE_CARDS["li"]
    until = date.today() + timedelta(days=3 * 365)
    journey.add_shareholder(zhang, 600_000, until)
    journey.add_shareholder(li, 400_000, until)
    p.expect(journey.shareholders_done() == [], "two shareholders")
    p.expect(journey.set_officers(zhang.id_number, [zhang.id_number], li.id_number, zhang.id_number) == [],
             "the officers")
    p.expect(journey.set_linked(journey.default_linked() | {"bank_account": {"bank": "中国工商银行",
                                                                             "branch": "阳江分行"}}) == [], "all five items")
    app.show_journey()
    yield 0.5
    p.expect_screen("check")


def crash_after_the_decision(p):
    """A citizen opens a company; the kiosk process dies (SIGKILL) right after the platform's decision,
    before the licence prints. What the citizen was doing is written to crash.json first."""
    import json
    import os
    import signal

    from screens.demo_script import identify, sign_and_submit

    app = p.app
    yield 0.5
    yield from identify(p, phone_number="13900000051")
    yield from _answers_to_the_signing_step(p, "恢复")
    draft = app.journey.draft
    (p.out_dir / "crash.json").write_text(json.dumps({"application_id": draft.application_id,
                                                      "acceptance_no": draft.acceptance_no}), encoding="utf-8")

    def power_cut(*args, **kwargs):
        p.shot("crash-before-printing")
        os.kill(os.getpid(), signal.SIGKILL)

    app.services._print_licence = power_cut
    yield from sign_and_submit(p)
    raise AssertionError("the kiosk should have died before the result")


def restart_after_the_crash(p):
    """The kiosk started again (the same data folder); the citizen starts again from the home page and puts
    the same card on the reader: recognised, the same application, the licence printed now."""
    import json

    from screens.demo_script import read_card, screen_is, wait_for

    app = p.app
    crashed = json.loads((p.out_dir / "crash.json").read_text(encoding="utf-8"))
    yield 0.5
    p.expect(app.forwarder is not None and app.forwarder.running, "the forwarder runs from the start")
    p.expect_screen("home")
    p.tap("open")
    yield from wait_for(p, screen_is(p, "entity_type"), "entity type")
    new_visit = app.journey.draft.application_id
    p.expect(new_visit != crashed["application_id"], "a new visit begins with a new application id")
    p.tap("llc")
    yield from wait_for(p, screen_is(p, "applicant_card"), "card step")
    yield from read_card(p, "zhang", "applicant_card")
    yield from wait_for(p, screen_is(p, "restored"), "the kiosk recognising the citizen", 20)
    restored = p.screen()
    p.expect(restored.number == crashed["acceptance_no"], f"the same acceptance number ({restored.number})")
    p.expect(restored.key == "restored.decided_approved", f"it says the application was approved ({restored.key})")
    p.shot("restored-zh")
    p.tap(p.widget("tool_lang"))
    yield 0.3
    p.shot("restored-en")
    p.tap(p.widget("tool_lang"))
    yield 0.2
    printer = app.runtime.devices["document_printer"]
    before = len(printer.simulator.documents())
    p.tap("carry_on")
    yield from wait_for(p, screen_is(p, "result"), "the result", 60)
    yield 0.3
    p.shot("restored-result")
    outcome = app.outcome or {}
    decision = outcome.get("decision") or {}
    p.result["restored"] = {"crashed": crashed, "new_visit": new_visit,
                            "application_id": app.journey.draft.application_id,
                            "decision_application_id": decision.get("application_id"),
                            "decision": decision.get("decision"), "uscc": decision.get("uscc"),
                            "licence_printed": outcome.get("licence_printed"),
                            "licences_spooled": len(printer.simulator.documents()) - before,
                            "receipts": outcome.get("receipts", []), "kind": p.screen().kind,
                            "journal_printed": list(app.runtime.journal().get(crashed["application_id"]).printed),
                            "new_visit_kept": app.runtime.journal().get(new_visit) is not None}
    p.tap("finish")
    yield from wait_for(p, screen_is(p, "home"), "home")
    p.result["after"] = {"journal": app.runtime.journal().counts(), "outbox": app.runtime.outbox().summary()}
    # maintenance: the outbox section, and a reprint by acceptance number typed on its keypad
    yield from _hold_corner(p)
    _enter_pin(p, "246810")
    yield 0.6
    p.expect_screen("maintenance")
    screen = p.screen()
    p.tap("nav_outbox")
    yield from _wait_idle(screen, 40)
    yield 0.5
    p.expect(crashed["acceptance_no"] in screen.outbox_text, "the visit is listed for reprints")
    p.shot("maintenance-outbox")
    pad = screen._box("pad")
    keys = {k.text: k for k in pad.children if getattr(k, "text", "")}
    for digit in crashed["acceptance_no"]:
        p.tap(keys[digit])
    yield 0.2
    p.expect(screen.number == crashed["acceptance_no"], f"the number typed ({screen.number})")
    before = len(printer.simulator.documents())
    p.tap(screen._box("reprint_number"))
    yield from _wait_idle(screen, 80)
    yield 0.3
    p.shot("maintenance-reprinted")
    p.result["maintenance_reprint"] = {"note": screen.note, "licences": len(printer.simulator.documents()) - before}
    p.tap("exit")
    yield 0.4

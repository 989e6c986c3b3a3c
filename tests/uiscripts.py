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
    client.base_url, client.retries = real, 3
    outbox = app.runtime.outbox()
    outbox._db.execute("UPDATE outbox SET next_try_at = 0")
    outcomes["queued"]["flushed"] = list(app.services.flush_outbox())
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


# -- issue 19 (the law): every card type, the 2024 officers, contributions, names ---------------------------
def law_visit(p):
    """An LLC whose applicant, shareholder and legal representative holds a 2017 foreign permanent resident
    card (田中浩) with a Hong Kong resident (黄嘉欣) as the second shareholder, through real touches: the name
    step's live checks (阳江 as trade name, characters, a taken name and its suggestion chips, an industry
    found by pinyin), the contributions asked, the officers under the 2024 Company Law with a conflict
    named as it is chosen; the licence and receipts saved for the test to read."""
    from screens.demo_script import (chip, find_text, identify, in_view, person_number, pick_address, read_shareholders,
                                     save_printed, screen_is, set_contribution, shots_in_every_mode,
                                     sign_and_submit, type_trade, wait_for)

    app = p.app
    seen = p.result.setdefault("seen", {})
    yield 0.5
    yield from identify(p, card="tanaka", phone_number="13900000019")
    name = p.screen()
    # a division's name as trade name: said as it is typed (the live check), in both languages
    yield from type_trade(p, "阳江")
    yield from wait_for(p, lambda: bool(name.check), "the check of 阳江")
    seen["region"] = {"codes": [r["code"] for r in name.check["reasons"]], "zh": name.ids.verdict.text}
    p.shot("law-name-region")
    p.tap("tool_lang")
    yield 0.3
    seen["region"]["en"] = name.ids.verdict.text
    p.tap("tool_lang")
    yield 0.2
    # characters that are no trade name: told at once, before any check
    name.ids.trade.text = "星<b>"
    yield 0.2
    seen["format"] = {"zh": name.ids.verdict.text, "checked": bool(name.check)}
    p.shot("law-name-format")
    # a taken name: the platform's suggestions as chips; one tap takes one
    yield from type_trade(p, "华信")
    yield from wait_for(p, lambda: bool(name.check) and bool(name.suggestions), "suggestions for 华信")
    seen["taken"] = {"codes": [r["code"] for r in name.check["reasons"]], "suggestions": list(name.suggestions)}
    yield from shots_in_every_mode(p, "law-name-taken")
    p.tap(find_text(name.ids.suggestions, name.suggestions[0]))
    yield from wait_for(p, lambda: bool(name.check) and name.check.get("available"), "the suggestion checked")
    # an industry term found by pinyin initials typed on the on-screen keyboard
    p.tap(name.ids.industry_search)
    yield 0.3
    keyboard = app.keyboard
    seen["search_mode"] = keyboard.mode
    for letter in "wlkj":
        p.tap(keyboard.key_button(letter))
    yield 0.3
    seen["found"] = list(name.industries)
    p.shot("law-name-industry-search")
    p.tap(in_view(find_text(name.ids.industries, "网络科技")))
    yield 0.2
    seen["industry"] = name.industry
    p.tap(keyboard.key_button("done"))
    yield from wait_for(p, lambda: bool(name.check) and name.check.get("available"), "the name with 网络科技")
    seen["preview"] = name.ids.preview.text
    p.shot("law-name-final")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "address"), "address step")
    yield from pick_address(p)
    yield from wait_for(p, screen_is(p, "scope"), "scope step")
    scope = p.screen()
    yield from wait_for(p, lambda: bool(scope.results), "the scope catalogue")
    item = next(i for i in scope.results if i.get("permit") == "none")
    p.tap(find_text(scope.ids.results, item["text"]))
    yield 0.2
    p.tap("next")
    yield from wait_for(p, screen_is(p, "capital"), "capital step")
    p.tap("preset100")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "shareholders"), "shareholders step")
    # a minor's card: told kindly where to go, nothing lost
    holders = p.screen()
    p.tap("read")
    from screens.demo_script import read_card

    yield from read_card(p, "minor", "shareholders")
    yield from wait_for(p, lambda: bool(holders.problems) and not holders.waiting, "the minor told")
    seen["minor"] = {"zh": holders.problems[0].message_zh, "en": holders.problems[0].message_en,
                     "rows": len(holders.rows)}
    p.shot("law-shareholder-minor")
    yield from read_shareholders(p, "tanaka", "wong")
    seen["holder_rows"] = list(holders.rows)
    yield from shots_in_every_mode(p, "law-shareholders")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "contributions"), "contributions step")
    contributions = p.screen()
    seen["proposed"] = [(s["name"], s["subscribed_cny"], s["contribution_method"], s["contribution_deadline"])
                        for s in app.journey.draft.shareholders]
    yield from set_contribution(p, "tanaka", wan=70)
    yield from set_contribution(p, "wong", rest=True, method="in_kind", years=3)
    p.expect(contributions.balanced and contributions.in_kind, f"balanced, in kind noted ({contributions.total_text})")
    yield from shots_in_every_mode(p, "law-contributions")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "officers"), "officers step")
    officers = p.screen()
    tanaka, wong = person_number("tanaka"), person_number("wong")
    seen["officer_defaults"] = {"directors": list(officers.directors), "manager": officers.manager_no,
                                "legal_rep": officers.legal_rep, "contact": officers.contact}
    p.tap(chip(officers.ids.row_supervisor, wong))
    yield 0.1
    p.tap(chip(officers.ids.row_finance_officer, wong))  # the supervisor as finance officer: named at once
    yield 0.3
    seen["conflict"] = [(c.field, c.message_zh, c.message_en) for c in officers.conflicts]
    officers.ids.scroll.scroll_y = 1
    yield 0.2
    yield from shots_in_every_mode(p, "law-officers-conflict")
    p.tap("next")
    yield 0.3
    seen["refused"] = [x.message_zh for x in officers.problems]
    p.expect(app.sm.current == "officers", "the conflict keeps the citizen on the step")
    p.tap(chip(officers.ids.row_finance_officer, tanaka))
    yield 0.3
    seen["conflict_after"] = [c.message_zh for c in officers.conflicts]
    officers.ids.scroll.scroll_y = 1
    yield 0.2
    yield from shots_in_every_mode(p, "law-officers")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "linked"), "linked items step")
    p.tap("all")
    p.tap(find_text(p.screen(), "中国银行"))
    yield 0.2
    seen["linked_times"] = [w.text for w in p.screen().walk() if getattr(w, "text", "").endswith("办结")]
    p.tap("next")
    yield from wait_for(p, screen_is(p, "check"), "check your answers")
    seen["check"] = {label: value for _, label, value in p.screen().rows}
    p.shot("law-check")
    yield from sign_and_submit(p)
    outcome = app.outcome or {}
    decision = outcome.get("decision") or {}
    p.result.update(decision=decision.get("decision"), reasons=decision.get("reasons"),
                    application=outcome.get("application"), printed=outcome.get("printed"))
    save_printed(p, outcome)
    p.tap("finish")
    yield from wait_for(p, screen_is(p, "home"), "home")

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


def _sample_outcome(kind="approved", licence=False):
    """A result as the submission leaves it (the licence printer out of paper, two receipts kept)."""
    from service.contract import acceptance

    number = acceptance.make(__import__("datetime").date(2026, 11, 22), 1, 7, b"k" * 32)
    decision = {"decision": kind, "acceptance_no": number, "application_id": "a1",
                "uscc": "91441702MA4XXXXX1X" if kind == "approved" else None,
                "e_license": "YZTL1.demo" if kind == "approved" else None,
                "reasons": [] if kind != "rejected" else [
                    {"code": "ADDRESS_NEGATIVE", "severity": "error", "field": "address",
                     "message": "住所位于负面清单区域（漠阳江饮用水源一级保护区），不得登记为企业住所，请更换住所。"}]}
    prints = [{"kind": "licence", "printed": licence, "kept": not licence, "condition": "" if licence else "paper_out"},
              {"kind": "result", "printed": False, "kept": True, "condition": "paper_out"},
              {"kind": "linked_items", "printed": False, "kept": True, "condition": "paper_out"}]
    if kind != "approved":
        prints = [{"kind": "acceptance", "printed": True, "kept": False, "condition": ""}]
    from kiosk.services import print_lines

    outcome = {"decision": decision, "acceptance_no": number, "prints": prints,
               "licence_printed": licence, "application": {"name": {"full": "阳江市星河恒科技有限公司"}, "linked_services": {
                   "seal": {"delivery": {"method": "mail", "address": "广东省阳江市江城区东风二路88号", "address_code": "1"}},
                   "tax": {"delivery": {"method": "collect"}}, "social_insurance": {}, "housing_fund": {},
                   "bank_account": {"bank": "中国银行"}}}}
    outcome["printed"] = print_lines(outcome, "zh")
    return outcome


def audit_every_screen(p):
    """Every screen in zh, en, large text and large English; then the states that only some visits see (the
    dialogs, the result of each kind, the farewell with a rating, the mailing address picker, the SMS
    countdown): no untranslated string, no small target, no low contrast, no clipped, spilling or
    overlapping text. First the audit proves it can fail: a made overlap must be found."""
    from datetime import date

    from service.contract.ids import make_id
    from kiosk.journeys.registration import RegistrationJourney, Step
    from screens.audit import audit

    app = p.app
    yield 0.3
    p.result["self_test"] = yield from _audit_finds_made_faults(p)
    findings = {}
    journey = RegistrationJourney(today=date(2026, 11, 22))
    journey.draft.entity_type = "llc"
    journey.draft.capital_cny = 1_000_000
    person = {"name": "张伟", "id_number": make_id("441702", date(1985, 3, 14), 11), "card_type": "resident"}
    journey.draft.applicant_card = person
    journey.draft.address = {"code": "441702000001", "text": "广东省阳江市江城区东风二路88号华润大厦1201室"}
    journey.done |= {Step.ENTITY_TYPE, Step.APPLICANT_CARD, Step.PHONE, Step.NAME}
    app.journey = journey
    names = [s.name for s in app.sm.screens if s.name not in ("submit",)]
    combos = (("zh", False), ("en", False), ("zh", True), ("en", True))

    def look(label, *roots):
        app.root.ids.idle.seconds = 0
        found = [f for r in roots for f in audit(r)]
        if found:
            findings[f"{label}/{app.lang}/{'large' if app.session.elderly_mode else 'std'}"] = found

    def shoot(label):
        p.shot(f"{label}-{app.lang}{'-large' if app.session.elderly_mode else ''}")

    for lang, elderly in combos:
        app.lang = lang
        if app.session.elderly_mode != elderly:
            app.toggle_elderly()
        app.journey = journey
        for name in names:
            if name in {s.value for s in Step}:
                journey.current = Step(name)
                app.show_journey()
            else:
                app.go(name)
            yield 0.25
            look(name, app.sm.current_screen)
            if lang == "zh" and not elderly or name in ("home", "name", "linked", "result", "farewell"):
                shoot(name)
        # the states some visits see
        journey.current = Step.NAME
        app.show_journey()
        yield 0.3
        app.show_help()
        yield 0.3
        look("help-dialog", app.root.ids.dialog, app.sm.current_screen)
        shoot("help-dialog")
        app.dialog.close()
        app.ask_home()
        yield 0.3
        look("confirm-home", app.root.ids.dialog)
        shoot("confirm-home")
        app.dialog.close()
        app.staff_called = 12
        app.call_staff()  # already called: the dialog says so again, without a new request
        yield 0.3
        look("staff-dialog", app.root.ids.dialog, app.sm.current_screen)
        app.dialog.close()
        app.staff_called = 0
        for variant, outcome in (("result-kept", _sample_outcome("approved", licence=False)),
                                 ("result-review", _sample_outcome("manual_review")),
                                 ("result-rejected", _sample_outcome("rejected"))):
            app.outcome = outcome
            journey.current = Step.RESULT
            app.show_journey()
            app.sm.current_screen.on_pre_enter()
            yield 0.3
            look(variant, app.sm.current_screen)
            shoot(variant)
        app.go("home")
        app.outcome = None
        journey.current = Step.LINKED
        app.show_journey()
        yield 0.3
        linked = app.sm.current_screen
        linked.set_delivery("mail")
        yield 0.3
        look("linked-mail", linked)
        shoot("linked-mail")
        linked.pick_mail_address()
        yield 0.5
        look("linked-picker", linked)
        linked.close_picker()
        linked.set_delivery("collect")
        journey.current = Step.PHONE
        app.show_journey()
        yield 0.2
        phone = app.sm.current_screen
        phone.phone, phone.sent = "13800138000", True
        phone.start_wait(42)
        yield 0.3
        look("phone-countdown", phone)
        shoot("phone-countdown")
        phone.reset()
        journey.current = Step.APPLICANT_CARD
        app.show_journey()
        yield 0.2
        card = app.sm.current_screen
        card.waiting, card.offered = False, True
        yield 0.3
        look("card-offered", card)
        farewell = app.sm.get_screen("farewell")
        from kiosk.services import take_lines

        farewell.prepare({"journey": "open", "cards": 2, "lines": take_lines(_sample_outcome(), "zh"),
                          "lines_en": take_lines(_sample_outcome(), "en")})
        app.go("farewell")
        yield 0.3
        farewell.card_state = "on"
        farewell.rate(2)
        farewell.toggle_reason("slow")
        yield 0.3
        look("farewell-rated", farewell)
        shoot("farewell-rated")
        farewell.level, farewell.sent = 0, True  # nothing is sent from the audit
        app.go("home")
        yield 0.2
        yield from _audit_filled_states(p, journey, look, shoot)
    p.result["findings"] = findings
    p.result["screens"] = len(names)


SAMPLE_ADDRESSES = [{"code": f"44170200{i:04d}", "text": f"广东省阳江市江城区东风二路{n}号新世纪广场{r}室",
                     "label": f"{n}号新世纪广场{r}室", "negative": "1" if i == 3 else "0"}
                    for i, (n, r) in enumerate([(2, 101), (14, 509), (68, 1203), (88, 2806), (149, 602), (190, 1910)])]
SAMPLE_SCOPES = [{"code": "I6510", "text": "软件开发", "permit": "none"},
                 {"code": "M7320", "text": "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广", "permit": "none"},
                 {"code": "O8010", "text": "保安服务", "permit": "pre"},
                 {"code": "H6210", "text": "餐饮服务（不产生油烟、异味、废气）", "permit": "post"}]


def _audit_filled_states(p, journey, look, shoot):
    """Screens with the data a real visit brings: search results, chosen scope, two shareholders and their
    roles, a progress answer with its items, the keyboard with candidates."""
    from datetime import date

    from kiosk.journeys.registration import Step
    from service.contract import acceptance
    from service.contract.ids import make_id

    app = p.app
    journey.current = Step.ADDRESS
    app.show_journey()
    yield 0.2
    picker = app.sm.current_screen.ids.picker
    picker.ids.search.text = "dfel"
    yield 0.7  # the search fails here (no platform in this process); then the answer a platform gives
    picker.failed, picker.busy, picker.options = "", "", list(SAMPLE_ADDRESSES)
    app.keyboard.detach()
    yield 0.3
    look("address-search", app.sm.current_screen)
    shoot("address-search")
    picker.reset()
    journey.current = Step.SCOPE
    app.show_journey()
    yield 0.4
    scope = app.sm.current_screen
    scope.results = list(SAMPLE_SCOPES)
    scope.chosen = list(SAMPLE_SCOPES[:3])
    scope.problems = []
    yield 0.3
    look("scope-chosen", scope)
    shoot("scope-chosen")
    scope.reset()
    zhang = {"name": "张伟明", "id_type": "resident_id", "id_number": make_id("441702", date(1980, 5, 1), 13),
             "address": ""}
    li = {"name": "欧阳秀英", "id_type": "resident_id", "id_number": make_id("441702", date(1975, 8, 9), 24),
          "address": ""}
    journey.draft.shareholders = [{**zhang, "subscribed_cny": 600_000, "contribution_deadline": "2030-12-31",
                                   "contribution_method": "currency"},
                                  {**li, "subscribed_cny": 400_000, "contribution_deadline": "2030-12-31",
                                   "contribution_method": "currency"}]
    for step in (Step.SHAREHOLDERS, Step.OFFICERS, Step.CHECK):
        journey.current = step
        app.show_journey()
        yield 0.4
        look(f"{step.value}-filled", app.sm.current_screen)
    shoot("check-filled")
    journey.draft.shareholders = []
    app.go("progress")
    yield 0.2
    progress = app.sm.current_screen
    number = acceptance.make(date(2026, 11, 22), 1, 9, b"k" * 32)
    progress.query.found({"acceptance_no": number, "name": "阳江市星河恒科技有限公司", "decision": "approved",
                          "uscc": "91441702MA4XXXXX1X", "kind": "establishment",
                          "items": [{"service": code, "status": status, "expected_by": "2026-11-24T10:00:00+00:00",
                                     "detail": "刻章企业已接单，正在制作印章。办结后免费寄递至申请人选择的标准地址。"
                                     if code == "seal" else ""}
                                    for code, status in (("seal", "in_progress"), ("tax", "pending"),
                                                         ("social_insurance", "done"), ("housing_fund", "failed"),
                                                         ("bank_account", "in_progress"))]})
    progress.sync()
    progress.kept = [{"job_id": "j1", "kind": "licence", "title": "营业执照"}]
    yield 0.4
    look("progress-results", progress)
    shoot("progress-results")
    progress.reset()
    progress.sync()
    journey.current = Step.NAME
    app.show_journey()
    yield 0.3
    keyboard = app.keyboard
    keyboard.attach(app.sm.current_screen.ids.trade)
    for letter in "xinghe":
        keyboard.press(letter)
    yield 0.4
    look("keyboard", keyboard)
    shoot("keyboard")
    for _ in range(6):
        keyboard.press("back")
    keyboard.detach()
    app.go("home")
    yield 0.2


def _audit_finds_made_faults(p):
    """Make each fault the audit looks for on a real screen and see it reported: two labels drawn over each
    other, a title pushed into the header by a squeezed layout, a label too small for its text, text cut
    with an ellipsis. Returns the kinds found."""
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button
    from kivy.uix.floatlayout import FloatLayout
    from kivy.uix.label import Label
    from screens.audit import audit

    app = p.app
    app.go("notbuilt")
    screen = app.sm.current_screen
    made = FloatLayout()
    black = (0, 0, 0, 1)
    made.add_widget(Label(text="重叠的文字一", color=black, font_size=40, size_hint=(None, None), size=(400, 60),
                          pos=(200, 500)))
    made.add_widget(Label(text="重叠的文字二", color=black, font_size=40, size_hint=(None, None), size=(400, 60),
                          pos=(260, 510)))
    made.add_widget(Label(text="框太小放不下这么长的一句话", color=black, font_size=40, size_hint=(None, None),
                          size=(200, 50), pos=(900, 300)))
    made.add_widget(Label(text="这句话太长，会被省略号截断而看不全", color=black, font_size=40, size_hint=(None, None),
                          size=(220, 60), pos=(900, 150), text_size=(220, 60), shorten=True))
    made.add_widget(Label(text="三行文字\n只显示\n一行", color=black, font_size=40, size_hint=(None, None),
                          size=(400, 50), pos=(1300, 150), text_size=(400, 50), valign="top"))
    made.add_widget(Button(text="按钮", size_hint=(None, None), size=(200, 100), pos=(1300, 500),
                           background_normal="", background_color=(0.043, 0.239, 0.569, 1)))
    made.add_widget(Label(text="压在按钮上的字", color=black, font_size=40, size_hint=(None, None), size=(300, 60),
                          pos=(1250, 520)))
    from kivy.graphics import Color, Rectangle
    from kivy.uix.widget import Widget

    header = Widget(size_hint=(None, None), size=(1000, 100), pos=(0, 860))
    with header.canvas.before:
        Color(0.043, 0.239, 0.569, 1)
        Rectangle(pos=header.pos, size=header.size)
    made.add_widget(header)
    squeezed = BoxLayout(orientation="vertical", size_hint=(None, None), size=(800, 200), pos=(100, 620))
    for text in ("被挤压的标题", "第二行", "第三行", "第四行"):  # 360 px of rows in 200: pushed up into the header
        squeezed.add_widget(Label(text=text, color=black, font_size=40, size_hint_y=None, height=90))
    made.add_widget(squeezed)
    screen.add_widget(made)
    yield 0.4
    found = audit(screen)
    screen.remove_widget(made)
    kinds = sorted({f.split(":")[0].split(" ")[0] for f in found})
    p.result["self_test_findings"] = found
    return kinds


def journeys_edge_cases(p):
    """Journey 1 five times on the simulators and a loopback platform (the test reference data):
    manual review, rejected-then-corrected, printer out of paper, platform down at submit, card
    moved mid-read. Each visit ends at home with the session wiped."""
    from screens.demo_script import (describe_company, farewell, identify, open_company, people_and_items,
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
        yield from farewell(p, level=None)  # the farewell page: no rating this time, straight home
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
    from screens.demo_script import (farewell, find_text, identify_person, screen_is, sign_and_submit,
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
    yield 0.3  # the bank choice opens once the bank item is chosen
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
    yield from farewell(p, level=None)


# -- a company's later life (tests/test_ui_lifecycle.py) -------------------------------------------------------
_LIFE_SERIAL = iter(range(300, 900))


def _life_card(name):
    """A card for a fresh person (a sample card with another name and number): a legal representative who
    represents nothing yet, so the registrations below never meet the many-entities rule."""
    import dataclasses
    from datetime import date

    from devices.idcard.samples import SAMPLE_CARDS
    from service.contract.ids import make_id

    birth = date(1970 + next(_LIFE_SERIAL) % 30, 5, 17)
    return dataclasses.replace(SAMPLE_CARDS["chen"], name=name, birth=birth,
                               id_number=make_id("441702", birth, next(_LIFE_SERIAL)))


def _life_register(app, rep_card, trade=None):
    """A company of ``rep_card``'s (legal representative, 60 %) and 李秀英's (sample card, 40 %, supervisor),
    registered earlier through the platform (as the single-item script does)."""
    from devices.idcard.samples import SAMPLE_CARDS
    from tests.servicehelp import application, prove_with

    li = SAMPLE_CARDS["li"]
    rep = {"name": rep_card.name, "id_type": "resident_id", "id_number": rep_card.id_number}
    holder = {"name": li.name, "id_type": "resident_id", "id_number": li.id_number}
    doc = application(trade)
    doc["officers"].update(legal_representative=rep, directors=[rep], managers=[rep], finance_officer=rep,
                           supervisor=holder)
    doc["shareholders"][0].update(rep)
    doc["shareholders"][1].update(holder)
    doc["applicant"]["person"].update(rep)
    doc["signatures"] = [{"id_number": x["id_number"], "signed_at": doc["submitted_at"]} for x in (rep, holder)]
    client = app.services.platform()
    decision = client.submit(prove_with(client, doc))
    assert decision["decision"] == "approved", decision["reasons"]
    return {"doc": doc, "uscc": decision["uscc"], "e_license": decision["e_license"], "name": doc["name"]}


def _life_register_until(app, wanted, name):
    for _ in range(60):
        card = _life_card(name)
        company = _life_register(app, card)
        if wanted(app.services.clearance(company["uscc"])):
            return company, card
    raise AssertionError("no company with that clearance")


def _life_outcome(p):
    app = p.app
    outcome = app.outcome or {}
    decision = outcome.get("decision") or {}
    screen = p.screen()
    return {"kind": screen.kind, "lines": list(screen.lines), "company": screen.company, "uscc": screen.uscc,
            "number": screen.number, "qr": screen.qr, "decision": decision.get("decision"),
            "application_id": decision.get("application_id"), "acceptance_no": decision.get("acceptance_no"),
            "codes": [r["code"] for r in decision.get("reasons", [])],
            "announcement_until": decision.get("announcement_until"), "effective_on": decision.get("effective_on"),
            "licence_printed": outcome.get("licence_printed"), "receipts": outcome.get("receipts", []),
            "items": {i["service"]: i.get("action") for i in outcome.get("items", [])}}


def lifecycle_change_suspend_close(p):
    """A company registered earlier changes its name (QR code) and its address (USCC typed), files a
    suspension and resumes; another deregisters by the simplified procedure and its name is free afterwards."""
    from datetime import date

    from devices.idcard.samples import SAMPLE_CARDS
    from screens.demo_script import (change_address, change_name, deregister, finish_visit, query_progress,
                                     resume_business, suspend)
    from service.lifecycle import finish_announcements

    app = p.app
    yield 0.5
    zhang = SAMPLE_CARDS["zhang"]
    out = p.result
    company = _life_register(app, zhang)
    out["registered"] = {"uscc": company["uscc"], "name": company["name"]["full"]}
    client = app.services.platform()
    printer = app.runtime.devices["document_printer"]

    # 1. the name: the e-licence QR, only the name step, both shareholders sign after reading their cards
    yield from change_name(p, company["e_license"], zhang, "远航星河", "13900000101")
    out["name"] = _life_outcome(p)
    out["name"]["printed_documents"] = len(printer.simulator.documents())
    if app.outcome and app.outcome.get("licence_pdf") and p.out_dir is not None:
        (p.out_dir / "licence-renamed.pdf").write_bytes(app.outcome["licence_pdf"])
    status = client.status(out["name"]["application_id"]) or {}
    out["name"]["platform_items"] = {i["service"]: i["action"] for i in status.get("items", [])}
    yield from finish_visit(p)

    # 2. the address: the USCC typed on the keyboard, only the address step
    yield from change_address(p, company["uscc"], zhang, "13900000102", street="东风二路")
    out["address"] = _life_outcome(p)
    yield from finish_visit(p)
    out["address"]["record_address"] = app.services.find_company(company["uscc"])

    # 3. a suspension filed, then business resumed early
    yield from suspend(p, company["uscc"], zhang, "13900000103")
    out["suspension"] = _life_outcome(p)
    out["suspension"]["status"] = client.verify_licence(company["e_license"]).get("status")
    yield from finish_visit(p)
    yield from resume_business(p, company["uscc"], zhang, "13900000104")
    out["resumed"] = _life_outcome(p)
    out["resumed"]["status"] = client.verify_licence(company["e_license"]).get("status")
    yield from finish_visit(p)
    # the change's progress, exactly as an establishment's: the receipt's QR code, the number, the card
    yield from query_progress(p, out["name"]["acceptance_no"])

    # 4. another company, nothing open anywhere: simplified deregistration, the announcement shown
    closing, rep = _life_register_until(app, lambda t: not t["open_matters"], "孙简易")
    cards = {rep.id_number: rep}
    yield from deregister(p, closing["e_license"], rep, "13900000105", cards=cards, prefix="30-dereg-")
    out["dereg"] = _life_outcome(p)
    yield from finish_visit(p)
    # the dispatcher's daily run on the day after the announcement: it takes effect
    until = date.fromisoformat(out["dereg"]["announcement_until"])
    platform = app.runtime.platform.platform
    finish_announcements(platform, date.fromordinal(until.toordinal() + 1))
    n = closing["name"]
    out["dereg"]["after"] = client.verify_licence(closing["e_license"]).get("status")
    out["dereg"]["name_check"] = client.check_name(n["region"], n["trade_name"], n["industry"], n["form"])
    again = _life_register(app, rep, trade=n["trade_name"])  # its own investors take the name again at once
    out["dereg"]["name_again"] = {"uscc": again["uscc"], "name": again["name"]["full"]}


def lifecycle_owing_and_reprint(p):
    """A company that owes tax is shown what is open and cannot take the simplified way; a licence is
    reprinted at another kiosk (a second kiosk id, its own devices, the same platform)."""
    from devices.idcard.samples import SAMPLE_CARDS
    from screens.demo_script import (deregister, finish_visit, life_identity, open_company_of, reprint_licence,
                                     screen_is, sign_life, wait_for)

    app = p.app
    yield 0.5
    out = p.result
    owing, rep = _life_register_until(app, lambda t: any(m["service"] == "tax" for m in t["open_matters"]), "周欠税")
    yield from deregister(p, owing["e_license"], rep, "13900000201", prefix="31-owing-", finish=False)
    table = app.sm.get_screen("clearance").table
    procedure = p.screen()
    p.tap("simplified")  # not offered: the tile does not take the touch
    yield 0.3
    out["owing"] = {"open": [m["service"] for m in table.get("open_matters", [])],
                    "see": [m["see"] for m in table.get("open_matters", [])], "eligible": table.get("simplified_eligible"),
                    "allowed": procedure.allowed, "procedure": procedure.procedure,
                    "why": p.app.tr("life.procedure.simplified.no", why=procedure.why_not)}
    refused = app.journey.choose_procedure("simplified", "股东会决议解散")
    out["owing"]["refused"] = [x.message_zh for x in refused]
    p.tap("next")
    yield from wait_for(p, screen_is(p, "life_check"), "check your answers")
    yield from sign_life(p, {rep.id_number: rep}, prefix="31-owing-")
    out["owing"].update(_life_outcome(p))
    yield from finish_visit(p)

    # someone who is not the legal representative (李秀英 holds 40 %) is told what to do instead
    zhang = SAMPLE_CARDS["zhang"]
    company = _life_register(app, zhang)
    yield from open_company_of(p, "suspension", uscc=company["uscc"])
    yield from life_identity(p, "li", "13900000203", "suspension")
    p.shot("32-not-the-legal-representative")
    out["refused"] = {"refused": p.screen().refused, "problems": [x.message_zh for x in p.screen().problems]}
    p.tap("leave")
    yield from wait_for(p, screen_is(p, "home"), "home")

    # the licence at another kiosk of the city
    first = {"runtime": app.runtime, "services": app.services, "cfg": app.cfg}
    other = _second_kiosk(app, "YJ-OTHER-0002")
    try:
        app.runtime, app.services, app.cfg = other["runtime"], other["services"], other["cfg"]
        yield from reprint_licence(p, company["uscc"], zhang, "13900000202", copies=("original", "duplicate"))
        out["reprint"] = {"kind": p.screen().kind, "lines": list(p.screen().lines),
                          "copies": (app.journey.reprinted or {}).get("copies"),
                          "documents": len(other["runtime"].devices["document_printer"].simulator.documents()),
                          "kiosk": app.cfg.kiosk.id}
        yield from finish_visit(p)
    finally:
        app.runtime, app.services, app.cfg = first["runtime"], first["services"], first["cfg"]
        other["runtime"].close()
    platform = app.runtime.platform.platform
    out["reprint"]["audit"] = [(a["actor"], a["action"], a["target"], a["detail"].get("purpose"))
                               for a in platform.audit_log(100, "entity.record") if a["target"] == company["uscc"]]


def _second_kiosk(app, kiosk_id):
    """Another kiosk: its own configuration (id, data folder), devices (simulators) and key, enrolled with
    the platform the first one embeds."""
    from kiosk.config import Config
    from kiosk.runtime import Runtime
    from kiosk.services import KioskServices
    from service.contract.signing import load_or_create_key, public_pem
    from service.core.security import KioskKeys

    values = app.cfg.as_dict()
    running = app.runtime.platform
    values["kiosk"] = {**values["kiosk"], "id": kiosk_id, "data_dir": str(app.cfg.data_dir / "other-kiosk"),
                       "site": "阳江市阳东区政务服务中心"}
    values["platform"] = {**values["platform"], "url": running.url, "key_file": ""}
    cfg = Config(values, "second kiosk", simulate=True)
    key = load_or_create_key(cfg.data_dir / "kiosk.key")
    KioskKeys(running.platform.settings.kiosks).enrol(kiosk_id, public_pem(key))
    runtime = Runtime.build(cfg)
    return {"runtime": runtime, "services": KioskServices(runtime, cfg), "cfg": cfg}


def audit_lifecycle_screens(p):
    """The lifecycle screens with a company's record on them, in zh, en and large text: nothing untranslated,
    no small target, no low contrast, nothing off screen."""
    from datetime import date

    from kiosk.journeys.lifecycle import LifecycleJourney, LifeStep
    from kiosk.journeys.registration import Step
    from screens.audit import audit
    from service.contract.ids import make_id

    app = p.app
    yield 0.3
    rep = {"name": "张伟明", "id_type": "resident_id", "id_number": make_id("441702", date(1985, 3, 14), 11)}
    li = {"name": "李秀英", "id_type": "resident_id", "id_number": make_id("441704", date(1990, 1, 2), 26)}
    record = {"uscc": "91441702MA00000150", "name": "阳江市星河科技有限公司", "status": "suspended",
              "entity_type": "llc", "established_on": "2026-11-02", "e_license": "YZT1.x.y",
              "suspension": {"from": "2026-11-20", "to": "2027-05-20"},
              "state": {"name": {"region": "阳江市", "trade_name": "星河", "industry": "科技", "form": "有限公司",
                                 "full": "阳江市星河科技有限公司"},
                        "address": {"code": "441702000001", "text": "广东省阳江市江城区东风二路88号华润大厦1201室"},
                        "business_scope": [{"code": "I6511-001", "text": "软件开发"}],
                        "registered_capital_cny": 1_000_000,
                        "shareholders": [{**rep, "subscribed_cny": 600_000, "contribution_deadline": "2030-12-31"},
                                         {**li, "subscribed_cny": 400_000, "contribution_deadline": "2030-12-31"}],
                        "officers": {"legal_representative": rep, "directors": [rep], "supervisor": li}}}
    clearance = {"uscc": record["uscc"], "name": record["name"], "status": "active", "simplified_eligible": False,
                 "open_matters": [{"service": "tax", "what": "尚有未申报的税款或未缴销的发票", "see": "请到办税服务厅办理清税"},
                                  {"service": "bank_account", "what": "尚有未销户的银行账户", "see": "请到开户银行办理销户"}],
                 "why_not": ["尚有未申报的税款或未缴销的发票（请到办税服务厅办理清税）"]}
    findings = {}
    screens = {LifeStep.COMPANY: "change", LifeStep.CHANGE_WHAT: "change", LifeStep.EQUITY: "change",
               LifeStep.CLEARANCE: "deregistration", LifeStep.PROCEDURE: "deregistration",
               LifeStep.SUSPENSION: "suspension", LifeStep.COPIES: "reprint", LifeStep.CHECK: "deregistration",
               LifeStep.SIGN: "deregistration"}
    for lang, elderly in (("zh", False), ("en", False), ("zh", True), ("en", True)):
        app.lang = lang
        if app.session.elderly_mode != elderly:
            app.toggle_elderly()
        for step, kind in screens.items():
            j = LifecycleJourney(kind, today=date(2026, 12, 2))
            j.company = {"uscc": record["uscc"], "name": record["name"], "status": record["status"]}
            j.draft.applicant_card = {**rep, "card_type": "resident", "address": "广东省阳江市江城区东风二路18号"}
            j.draft.phone = "13800138000"
            j.record_loaded(record)
            j.clearance_loaded(clearance)
            j.procedure, j.reason, j.chosen = "ordinary", "股东会决议解散", ["registered_capital_cny"]
            app.journey = j
            j.current = step
            app.show_journey()
            yield 0.4
            app.root.ids.idle.seconds = 0
            found = audit(app.sm.current_screen)
            if found:
                findings[f"{step.value}/{lang}/{'large' if elderly else 'std'}"] = found
            p.shot(f"audit-{step.value}-{lang}{'-large' if elderly else ''}")
        app.journey = None
    p.result["findings"] = findings
    del Step




# -- a visit without dead ends (issue 20): navigation, help, staff, true outcomes, reprint, rating ---------------
def ux_navigation_help_staff_rating(p):
    """Back from a first step goes home; the card hint waits for a card; the SMS wait counts down with the
    platform's words; help is shown (and spoken where there is a voice); staff are called and the fleet page
    shows it; cancelling from the middle asks first, says what will be forgotten, and wipes; the farewell
    page watches the card reader; a rating reaches the platform."""
    from sqlalchemy import select

    from screens.demo_script import PHONE, farewell, screen_is, type_digits, wait_for
    from service.models import Rating
    from tests.servicehelp import staff

    app = p.app
    reader = app.runtime.devices["idcard"]
    yield 0.5
    p.tap("open")
    yield from wait_for(p, screen_is(p, "entity_type"), "entity type")
    p.tap("back")  # the first step: back is the way home, nothing to forget, nothing asked
    yield from wait_for(p, screen_is(p, "home"), "home from the first step")
    p.expect(not app.dialog.shown, "nothing was asked: nothing had been entered")
    p.result["first_back"] = app.sm.current

    p.tap("open")
    yield from wait_for(p, screen_is(p, "entity_type"), "entity type")
    p.tap("llc")
    yield from wait_for(p, screen_is(p, "applicant_card"), "the card step")
    card = p.screen()
    yield 0.5
    p.result["hint_before_card"] = card.ids.card_hint.text
    p.expect("没有读到" not in card.ids.card_hint.text, f"no 没有读到证件 before a card ({card.ids.card_hint.text!r})")
    reader.simulator.inject("removed_mid_read")
    reader.simulator.place("zhang")
    yield from wait_for(p, lambda: card.offered, "the card offered and lifted mid-read")
    yield 0.3
    p.result["hint_after_card"] = card.ids.card_hint.text
    p.shot("ux-card-offered")
    reader.simulator.place("zhang")
    yield from wait_for(p, screen_is(p, "phone"), "the card read")
    reader.simulator.remove()

    phone = p.screen()
    type_digits(p, phone, PHONE)
    p.tap("send")
    yield from wait_for(p, lambda: phone.sent, "the code sent")
    yield 1.2
    p.expect(phone.wait > 0 and phone.ids.send.disabled and "秒" in phone.ids.send.text,
             f"a countdown on the button ({phone.ids.send.text!r})")
    p.result["countdown"] = phone.ids.send.text
    p.shot("ux-sms-countdown")
    phone.wait = 0  # the kiosk's own count cut short: the platform still refuses, and says how long
    p.tap("send")
    yield from wait_for(p, lambda: bool(phone.problems), "the platform's cooldown")
    p.result["cooldown"] = phone.problems[0].message_zh
    p.expect("秒后再重新获取" in phone.problems[0].message_zh and phone.wait > 0,
             f"the platform's words and a countdown again ({phone.problems[0].message_zh!r}, {phone.wait})")
    code = app.services.platform().dev_sms_code(PHONE)
    type_digits(p, phone, code)
    p.tap("verify")
    yield from wait_for(p, screen_is(p, "liveness"), "the face step")
    p.tap("start")
    yield from wait_for(p, screen_is(p, "name"), "the name step", 30)

    p.tap("tool_help")
    yield 0.4
    p.expect(app.dialog.shown and app.dialog.name == "help" and app.dialog.body == app.tr("help.name"),
             "the name step's help is shown")
    p.shot("ux-help")
    said_before = len(app.voice.said)
    p.tap(app.dialog.buttons["read"])  # 朗读: spoken even with guidance off (where espeak-ng exists)
    yield 0.3
    p.result["help_spoken"] = [pr.key for pr in app.voice.said[said_before:]]
    p.result["voice_available"] = bool(app.voice.program)
    p.tap("tool_help")
    yield 0.3
    p.tap(app.dialog.buttons["staff"])
    yield from wait_for(p, lambda: app.staff_called > 0, "staff called")
    yield 0.3
    p.expect(app.dialog.name == "staff" and str(app.staff_called) in app.dialog.body, "the citizen is told it was sent")
    p.shot("ux-staff-called")
    running = app.runtime.platform
    waiting = running.platform.help_requests()
    p.result["help_requests"] = [{"kiosk_id": h["kiosk_id"], "step": h["step"]} for h in waiting]
    p.result["kiosk_id"] = app.cfg.kiosk.id
    operator = staff(running, "operator")
    page = operator.get(running.url + "/fleet", timeout=10)
    p.result["fleet"] = {"status": page.status_code, "help": "帮办请求" in page.text,
                         "kiosk": app.cfg.kiosk.id in page.text, "step": "name" in page.text}
    p.tap(app.dialog.buttons["ok"])
    yield 0.2
    p.expect(p.widget("tool_staff").text == "已呼叫工作人员", "the header says staff were called")
    p.tap("tool_staff")  # again: the same answer, no second request
    yield 0.3
    p.result["help_requests_after_second_tap"] = len(running.platform.help_requests())
    p.tap(app.dialog.buttons["ok"])
    yield 0.2

    p.tap("home")  # cancel from the middle: asked first
    yield 0.3
    p.expect(app.dialog.name == "confirm_home", "a confirmation")
    p.result["forget"] = app.dialog.body
    p.shot("ux-confirm-home")
    p.tap(app.dialog.buttons["stay"])
    yield 0.3
    p.expect(app.sm.current == "name" and app.journey is not None and app.journey.draft.phone == PHONE,
             "继续办理 keeps everything")
    p.tap("home")
    yield 0.3
    p.tap(app.dialog.buttons["leave"])
    yield from wait_for(p, screen_is(p, "farewell"), "the farewell page")
    p.result["wiped"] = {"journey": app.journey is None, "session": app.session.empty, "outcome": app.outcome is None,
                         "phone_screen": app.sm.get_screen("phone").phone == "", "wipes": app.session.wipes,
                         "staff_called": app.staff_called}
    screen = p.screen()
    asked = screen.answers
    reader.simulator.place("zhang")  # an answer asked before the card lay there may still come: wait for two
    yield from wait_for(p, lambda: screen.answers >= asked + 2 and screen.card_state == "on",
                        "the reader sees the card still there")
    p.result["card_on"] = screen.ids.card_title.text + " / " + screen.ids.card_state.text
    p.shot("ux-farewell-card-on")
    reader.simulator.remove()
    yield from wait_for(p, lambda: screen.card_state == "off", "the card taken", 10)
    p.result["card_off"] = screen.ids.card_title.text
    yield from farewell(p, 2, "slow", "ux-farewell-rated")
    yield from wait_for(p, lambda: ("rated", "open:2") in app.events, "the rating sent")
    with running.platform.store.read() as s:
        p.result["ratings"] = [{"kiosk_id": r.kiosk_id, "journey": r.journey, "level": r.level,
                                "reasons": list(r.reasons)} for r in s.execute(select(Rating)).scalars()]
    mine = [k for k in running.platform.kiosks() if k["kiosk_id"] == app.cfg.kiosk.id]
    p.result["fleet_ratings"] = {"ratings": mine[0]["ratings"], "average": mine[0]["rating_average"]} if mine else None


def ux_licence_paper_out_reprint(p):
    """The licence printer is out of paper: the result says so (approved, the licence did not print, kept, how
    to get it); the seal and UKey are mailed to the address found by typing its initials; then, paper back, the
    licence is reprinted by typing the acceptance number under 进度查询."""
    from screens.demo_script import farewell, open_company, screen_is, type_digits, wait_for

    app = p.app
    licence_printer = app.runtime.devices["document_printer"]
    receipts = app.runtime.devices["receipt_printer"]
    yield 0.5
    licence_printer.simulator.set_state("paper_out")
    yield from open_company(p, trade="晨光", phone_number="13900000021", search="dfel", mail=True)
    result = p.screen()
    outcome = app.outcome
    number = outcome["acceptance_no"]
    p.result["result"] = {"kind": result.kind, "variant": result.variant, "headline": result.ids.verdict.text,
                          "header": app.tr("result." + result.kind), "number_shown": result.ids.number.text,
                          "lines": list(result.lines), "licence_printed": outcome.get("licence_printed"),
                          "prints": outcome.get("prints"), "acceptance_no": number,
                          "delivery": outcome["application"]["linked_services"]["seal"].get("delivery"),
                          "spoken": result.spoken()[0]}
    p.result["receipt_texts"] = [job.text for job in receipts.simulator.jobs]
    p.result["kept_before"] = app.services.kept_prints(number)
    p.shot("ux-result-licence-kept")
    p.tap("finish")
    yield from farewell(p, level=None, shot="ux-farewell-after-paper-out")

    licence_printer.simulator.set_state("ready")
    before = len(licence_printer.simulator.documents())
    p.tap("progress")
    yield from wait_for(p, screen_is(p, "progress"), "progress")
    screen = p.screen()
    p.tap(list(reversed(screen.ids.body.children))[1])  # type the acceptance number
    yield 0.3
    entry = screen.ids.body.children[0]
    type_digits(p, entry, number)
    p.tap(entry.ids.look_up)
    yield from wait_for(p, lambda: screen.stage == "results", "the application by its number", 20)
    yield from wait_for(p, lambda: bool(screen.kept), "the kept licence offered for reprint", 10)
    p.result["progress_texts"] = [getattr(w, "text", "") for w in screen.ids.body.children]
    p.result["reprint_button"] = p.widget("reprint_kept").text
    p.shot("ux-progress-reprint-offered")
    p.tap("reprint_kept")
    yield from wait_for(p, lambda: "营业执照" in screen.busy and "正在" not in screen.busy, "the reprint", 30)
    p.result["reprinted"] = screen.busy
    p.result["documents"] = len(licence_printer.simulator.documents()) - before
    yield from wait_for(p, lambda: not screen.kept, "nothing kept any more", 10)
    p.result["kept_after"] = app.services.kept_prints(number)
    p.shot("ux-progress-reprinted")
    while app.sm.current == "progress":
        p.tap("back")
        yield 0.3
    yield from farewell(p, 5, "fast")

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
    from screens.demo_script import farewell

    yield from farewell(p, level=None)
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
    from screens.demo_script import farewell

    yield from farewell(p, level=None)
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

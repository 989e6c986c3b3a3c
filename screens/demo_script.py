"""The scripted citizen of ``yzt demo``: opens an LLC with two shareholders and all five linked items,
then queries its progress, photographing every screen; the printed licence and receipts are saved.

Every step goes through real touches on the real screens; the citizen's "hands" are the device
simulators: cards are placed on the SAM reader simulator, the face is shown to the simulated camera,
the SMS code is read from the demo platform (the citizen's phone).
"""

from __future__ import annotations

import time
from typing import Any, Iterator

PHONE = "13800138000"


def find_text(root: Any, text: str) -> Any:
    """The first button (or any widget) whose text is ``text``, searching the widget tree."""
    stack = [root]
    while stack:
        w = stack.pop()
        if getattr(w, "text", None) == text and hasattr(w, "dispatch"):
            return w
        stack.extend(w.children)
    raise AssertionError(f"nothing shows {text!r}")


def wait_for(p: Any, condition: Any, what: str, timeout: float = 20.0) -> Iterator[float]:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} (on {p.app.sm.current}: "
                                 f"{[getattr(x, 'message_zh', x) for x in getattr(p.screen(), 'problems', [])]})")
        yield 0.2
    yield 0.3  # one layout pass before the next touch lands on it


def screen_is(p: Any, name: str) -> Any:
    return lambda: p.app.sm.current == name


def type_digits(p: Any, screen: Any, digits: str) -> None:
    for d in digits:
        p.tap(find_text(screen.ids.pad, d))


def read_card(p: Any, name: str, screen: str) -> Iterator[float]:
    """The person puts their card on the reader, and takes it away once it was read."""
    reader = p.app.runtime.devices["idcard"]
    reader.simulator.place(name)
    yield 1.0
    reader.simulator.remove()


def sign(p: Any) -> Iterator[float]:
    pad = p.screen().ids.pad
    x0, y0 = pad.to_window(pad.x, pad.y)
    for stroke in range(3):
        touch = p.press(x0 + pad.width * (0.2 + 0.2 * stroke), y0 + pad.height * 0.3)
        for i in range(1, 12):
            touch.touch_move(x0 + pad.width * (0.2 + 0.2 * stroke + 0.012 * i),
                             y0 + pad.height * (0.3 + 0.04 * i))
        touch.touch_up()
        yield 0.05


def open_company(p: Any, trade: str = "星河", street: str | None = None, negative: bool = False,
                 phone_number: str = PHONE) -> Iterator[float]:
    """Journey 1 from the home page to the result screen (an LLC, 张 and 李, all five items)."""
    yield from identify(p, phone_number=phone_number)
    yield from describe_company(p, trade, street, negative)
    yield from people_and_items(p)
    yield from sign_and_submit(p)


def identify(p: Any, card: str = "zhang", phone_number: str = PHONE) -> Iterator[float]:
    """Home → LLC → the applicant's card → phone and SMS code → face."""
    p.tap("open")
    yield from wait_for(p, screen_is(p, "entity_type"), "entity type")
    p.shot("01-entity-type")
    p.tap("llc")
    yield from wait_for(p, screen_is(p, "applicant_card"), "card step")
    yield from identify_person(p, card, phone_number)
    yield from wait_for(p, screen_is(p, "name"), "name step", 30)


def identify_person(p: Any, card: str = "zhang", phone_number: str = PHONE) -> Iterator[float]:
    """On the card step: the card → phone and SMS code → face (any journey that identifies someone)."""
    app = p.app
    p.shot("02-put-your-card")
    yield from read_card(p, card, "applicant_card")
    yield from wait_for(p, screen_is(p, "phone"), "phone step")
    phone = p.screen()
    type_digits(p, phone, phone_number)
    p.tap("send")
    yield from wait_for(p, lambda: phone.sent, "the SMS code sent")
    code = app.services.platform().dev_sms_code(phone_number)
    type_digits(p, phone, code)
    p.shot("03-phone-and-code")
    p.tap("verify")
    yield from wait_for(p, screen_is(p, "liveness"), "face step")
    p.shot("04-face")
    p.tap("start")
    yield 1.2
    p.shot("04-face-checking")
    yield from wait_for(p, lambda: p.app.sm.current != "liveness", "the face check", 30)


def pick_address(p: Any, street: str | None = None, negative: bool = False) -> Iterator[float]:
    """District → street (``street`` or the first) → a building (the first allowed, or a restricted one)."""
    address = p.screen()
    for level in (0, 1, 2):
        yield from wait_for(p, lambda lv=level: address.level == lv and bool(address.options), f"address level {level}")
        p.shot(f"06-address-{level}")
        options = address.options
        if level == 1 and street and any(o["label"] == street for o in options):
            option = next(o for o in options if o["label"] == street)
        elif level == 2:
            option = next((o for o in options if (o.get("negative") == "1") == negative), options[0])
        else:
            option = options[0]
        label = option["label"] + (p.app.tr("address.restricted") if option.get("negative") == "1" else "")
        p.tap(find_text(address.ids.options, label))
        yield 0.3


def type_with_keyboard(p: Any, text: str, field: Any = None) -> Iterator[float]:
    """Type Chinese ``text`` on the on-screen keyboard as a citizen does: the pinyin letters key by key,
    then the candidate that is the word (paging on if needed), character by character when the
    word is not in the dictionary."""
    from pypinyin import Style, lazy_pinyin

    keyboard = p.app.keyboard
    if not keyboard.shown and field is not None:
        p.tap(field)  # touching the field brings the keyboard up
        yield 0.2
    p.expect(keyboard.shown, "the on-screen keyboard is up")
    if keyboard.mode != "pinyin":
        p.tap(keyboard.key_button("mode:pinyin"))
    for piece in ([text], list(text)):
        start = keyboard.target.text
        ok = True
        for word in piece:
            for letter in "".join(lazy_pinyin(word, style=Style.NORMAL)):
                p.tap(keyboard.key_button(letter))
            yield 0.05
            found = False
            for _ in range(6):  # a few pages of candidates at most
                if word in keyboard.candidates:
                    p.tap(keyboard.ids[f"cand{keyboard.candidates.index(word)}"])
                    found = True
                    break
                if keyboard.page >= keyboard.pages - 1:
                    break
                p.tap(keyboard.ids.next)
                yield 0.05
            while keyboard.composing:  # letters left over: clear them
                p.tap(keyboard.key_button("back"))
            if not found:
                ok = False
                break
        if ok and keyboard.target.text == start + text:
            return
        while keyboard.target.text != start:
            p.tap(keyboard.key_button("back"))
    raise AssertionError(f"could not type {text!r} on the keyboard")


def describe_company(p: Any, trade: str = "星河", street: str | None = None, negative: bool = False) -> Iterator[float]:
    """Name (live check; a suggestion when taken) → address → scope → capital."""
    name = p.screen()
    yield 0.2
    yield from type_with_keyboard(p, trade, name.ids.trade)
    p.tap(p.app.keyboard.key_button("done"))
    yield 0.2
    p.expect(name.ids.trade.text == trade, f"typed {trade!r} ({name.ids.trade.text!r})")
    yield from wait_for(p, lambda: bool(name.check), "the live name check")
    p.shot("05-name-checked")
    if not name.check.get("available"):  # taken: the citizen takes the first suggestion
        name.ids.trade.text = name.check["suggestions"][0]
        yield from wait_for(p, lambda: bool(name.check) and name.check.get("available"), "an available name")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "address"), "address step")
    yield from pick_address(p, street, negative)
    yield from wait_for(p, screen_is(p, "scope"), "scope step")
    scope = p.screen()
    yield from wait_for(p, lambda: bool(scope.results), "the scope catalogue")
    for topic in ("技术服务", "软件"):  # one tap on a topic, one on an item
        p.tap(find_text(scope.ids.topics, topic))
        yield from wait_for(p, lambda t=topic: scope.query == t and bool(scope.results), f"scope items about {topic}")
        item = next(i for i in scope.results if i.get("permit") == "none" and i not in scope.chosen)
        p.tap(find_text(scope.ids.results, item["text"]))
        yield 0.2
    p.shot("07-scope")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "capital"), "capital step")
    p.tap("preset100")
    yield 0.2
    p.shot("08-capital")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "shareholders"), "shareholders step")


def people_and_items(p: Any) -> Iterator[float]:
    """Two shareholders read their cards → officers → all five linked items → check your answers."""
    holders = p.screen()
    p.tap("p60")
    p.tap("read")
    yield from read_card(p, "zhang", "shareholders")
    yield from wait_for(p, lambda: len(holders.rows) == 1 and not holders.waiting, "the first shareholder")
    p.tap("read")
    yield from read_card(p, "li", "shareholders")
    yield from wait_for(p, lambda: len(holders.rows) == 2 and not holders.waiting, "the second shareholder")
    p.shot("09-shareholders")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "officers"), "officers step")
    officers = p.screen()
    cells = list(reversed(officers.ids.grid.children))
    first_person, second_person = 5, 5 + 5  # after the header row
    p.tap(cells[second_person + 1 + 2])  # 李: supervisor
    yield 0.1
    cells = list(reversed(officers.ids.grid.children))
    p.tap(cells[first_person + 1 + 3])  # 张: finance officer (a supervisor may not be one: CL art. 76)
    yield 0.2
    p.shot("10-officers")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "linked"), "linked items step")
    p.tap("all")
    p.tap(find_text(p.screen(), "中国工商银行"))
    yield 0.2
    p.shot("11-linked-items")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "check"), "check your answers")


def sign_and_submit(p: Any, timeout: float = 60) -> Iterator[float]:
    """Check your answers → every signer signs → submission → the result screen."""
    p.shot("12-check-your-answers")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "sign"), "signing")
    n = 0
    while p.app.sm.current == "sign":
        n += 1
        who = dict(p.screen().signer)
        yield from sign(p)
        p.shot(f"13-sign-{n}")
        p.tap("confirm")
        yield from wait_for(p, lambda w=who: p.app.sm.current != "sign" or p.screen().signer != w, "the next signer")
    yield from wait_for(p, lambda: p.app.sm.current in ("submit", "result"), "submission", 5)
    p.shot("14-submitting")
    yield from wait_for(p, screen_is(p, "result"), "the decision", timeout)
    yield 0.3
    p.shot("15-result")


def full_visit(p: Any) -> Iterator[float]:
    """Home in both languages, journey 1 for a two-shareholder LLC with all five items (saving what
    was printed), then journey 3: its progress by the receipt's QR code and by the ID card."""
    app = p.app
    yield 0.5
    p.expect_screen("home")
    p.shot("00-home")
    p.tap("lang")
    yield 0.3
    p.shot("00-home-english")
    p.tap("lang")
    yield 0.3
    p.tap("elderly")
    yield 0.3
    p.shot("00-home-large-text")
    p.tap("elderly")
    yield 0.3
    p.tap("guide")  # journey 4: the guide, read before starting
    yield from wait_for(p, screen_is(p, "guide"), "the guide")
    p.shot("00-guide")
    p.tap("start")
    yield from wait_for(p, screen_is(p, "entity_type"), "the start from the guide")
    p.app.end_visit("back to the start page")
    yield from wait_for(p, screen_is(p, "home"), "home")
    yield from open_company(p)
    outcome = app.outcome or {}
    decision = outcome.get("decision") or {}
    save_printed(p, outcome)
    p.result.update(decision=decision.get("decision"), uscc=decision.get("uscc"),
                    printed=outcome.get("printed"), application_id=decision.get("application_id"),
                    acceptance_no=decision.get("acceptance_no"), receipts=outcome.get("receipts"))
    p.result["approved_and_printed"] = bool(decision.get("decision") == "approved" and outcome.get("licence_printed")
                                            and outcome.get("receipts") and all(r["printed"] for r in outcome["receipts"]))
    if not p.result["approved_and_printed"]:
        p.result["why_not"] = f"decision {decision.get('decision')}: {decision.get('reasons')}; printed {outcome.get('printed')}"
    p.tap("finish")
    yield from wait_for(p, screen_is(p, "home"), "home after the visit")
    p.shot("16-home-again")
    if decision.get("acceptance_no") and decision.get("decision") != "queued":  # queued: the platform is away
        yield from query_progress(p, decision["acceptance_no"])
        save_printed(p, outcome)  # and the progress receipt


def query_progress(p: Any, acceptance_no: str) -> Iterator[float]:
    """Journey 3: the receipt's QR code held up to the camera, the acceptance number typed on the keypad,
    then the ID card (choosing among the person's applications); a progress receipt."""
    from kiosk.documents import progress_url

    app = p.app
    p.tap("progress")
    yield from wait_for(p, screen_is(p, "progress"), "progress query")
    screen = p.screen()
    p.shot("17-progress-choose")
    tiles = list(reversed(screen.ids.body.children))
    p.tap(tiles[0])  # scan the receipt
    yield 1.0
    camera = app.runtime.devices["camera"]
    camera.simulator.show_text(progress_url(acceptance_no, app.services.kiosk_info()))
    yield from wait_for(p, lambda: screen.stage == "results", "the scanned application", 20)
    camera.simulator.show_nothing()
    yield 0.5
    p.shot("18-progress-by-receipt")
    p.tap("reprint")
    yield from wait_for(p, lambda: "回执" in screen.busy and "正在" not in screen.busy, "the progress receipt", 20)
    p.shot("19-progress-printed")
    p.tap("back")
    yield 0.3
    tiles = list(reversed(screen.ids.body.children))
    p.tap(tiles[1])  # type the acceptance number
    yield 0.3
    entry = screen.ids.body.children[0]
    type_digits(p, entry, acceptance_no[:-1] + str((int(acceptance_no[-1]) + 1) % 10))  # a slip
    p.tap(entry.ids.look_up)
    yield 0.3
    p.shot("19-progress-number-mistyped")
    for _ in range(18):
        p.tap(find_text(entry.ids.pad, p.app.tr("key.delete")))
    type_digits(p, entry, acceptance_no)
    p.shot("19-progress-number")
    p.tap(entry.ids.look_up)
    yield from wait_for(p, lambda: screen.stage == "results", "the application by its number", 20)
    p.result["progress_by_number"] = (screen.query.current or {}).get("acceptance_no")
    p.tap("back")
    yield 0.3
    tiles = list(reversed(screen.ids.body.children))
    p.tap(tiles[2])  # read the ID card
    yield 0.5
    yield from read_card(p, "zhang", "progress")
    yield from wait_for(p, lambda: screen.stage in ("results", "list"), "the card holder's applications", 20)
    if screen.stage == "list":
        p.shot("20-progress-by-card-list")
        p.tap(list(reversed(screen.ids.body.children))[1])  # the newest
        yield from wait_for(p, lambda: screen.stage == "results", "the chosen application", 10)
    p.shot("20-progress-by-card")
    p.result["progress_items"] = {i["service"]: i["status"] for i in (screen.query.current or {}).get("items", [])}
    while p.app.sm.current == "progress":  # back: the list (if there was one), the choice, home
        p.tap("back")
        yield 0.3
    yield from wait_for(p, screen_is(p, "home"), "home after the query")


def save_printed(p: Any, outcome: dict[str, Any]) -> None:
    """The licence PDF and every receipt the thermal printer's simulator rendered, into the output folder."""
    if p.out_dir is None:
        return
    pdf = outcome.get("licence_pdf")
    if pdf:
        (p.out_dir / "licence.pdf").write_bytes(pdf)
    printer = p.app.runtime.devices.get("receipt_printer")
    sim = getattr(printer, "simulator", None)
    for i, job in enumerate(getattr(sim, "jobs", []) or [], 1):
        if job.png:
            (p.out_dir / f"receipt-{i}.png").write_bytes(job.png)

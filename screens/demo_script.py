"""The scripted citizen of ``yzt demo``: opens an LLC with two shareholders and all five linked items,
then queries its progress, then walks the company's later life (change of name, reprint, suspension and
resumption, deregistration), photographing every screen; the printed licences and receipts are saved.

Every step goes through real touches on the real screens; the citizen's "hands" are the device
simulators: cards are placed on the SAM reader simulator, the face is shown to the simulated camera,
the SMS code is read from the demo platform (the citizen's phone).
"""

from __future__ import annotations

import time
from typing import Any, Iterator

PHONE = "13800138000"
CARD_NUMBERS: dict[str, str] = {}  # the sample cards put on the reader in this run, by name


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
    card = reader.simulator.place(name)
    CARD_NUMBERS[name] = card.id_number
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
                 phone_number: str = PHONE, search: str | None = None, mail: bool = False,
                 taken_first: str | None = None, all_modes: bool = False) -> Iterator[float]:
    """Journey 1 from the home page to the result screen (an LLC, 张 and 李, all five items): ``search``
    finds the address by its pinyin initials, ``mail`` has the seal and UKey mailed; with ``taken_first``
    a taken name is tried first, ``all_modes`` photographs the law's steps in every mode."""
    yield from identify(p, phone_number=phone_number)
    yield from describe_company(p, trade, street, negative, search, taken_first=taken_first)
    yield from people_and_items(p, mail, all_modes=all_modes)
    yield from sign_and_submit(p)


def farewell(p: Any, level: int | None = 5, reason: str | None = "fast", shot: str | None = None) -> Iterator[float]:
    """The visit's last page: the ID card reminder, then a rating (one tap, a reason) and home."""
    yield from wait_for(p, screen_is(p, "farewell"), "the farewell page")
    screen = p.screen()
    p.expect(p.app.journey is None and p.app.session.empty, "the visit's data was wiped before the farewell")
    if level:
        p.tap(f"rate{level}")
        yield 0.3
        if reason:
            chip = next(c for c in screen.ids.reasons.children if c.code == reason)
            p.tap(chip)
            yield 0.2
    if shot:
        p.shot(shot)
    p.tap("finish")
    yield from wait_for(p, screen_is(p, "home"), "home after the farewell")


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
        p.tap(find_text(address.ids.picker.ids.options, label))
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


def search_address(p: Any, picker: Any, letters: str, shot: str | None = None) -> Iterator[float]:
    """Type pinyin initials (``dfel``) into the address search on the on-screen keyboard's English keys and
    take the first registrable address found."""
    keyboard = p.app.keyboard
    p.tap(picker.ids.search)
    yield 0.2
    p.expect(keyboard.shown, "the keyboard comes up for the search")
    if keyboard.mode != "english":
        p.tap(keyboard.key_button("mode:english"))
        yield 0.1
    for letter in letters:
        p.tap(keyboard.key_button(letter))
    yield from wait_for(p, lambda: picker.query == letters and not picker.busy and bool(picker.options),
                        f"addresses found for {letters!r}")
    if shot:
        p.shot(shot)
    option = next(o for o in picker.options if o.get("negative") != "1")
    button = next(b for b in picker.ids.options.children if getattr(b, "option", None) is option)
    p.tap(button)
    yield 0.3


def describe_company(p: Any, trade: str = "星河", street: str | None = None, negative: bool = False,
                     search: str | None = None, taken_first: str | None = None) -> Iterator[float]:
    """Name (live check; a suggestion chip when taken) → address (by levels, or ``search`` typed) → scope →
    capital."""
    yield from name_step(p, trade, taken_first)
    p.tap("next")
    yield from wait_for(p, screen_is(p, "address"), "address step")
    if search:
        yield from wait_for(p, lambda: bool(p.screen().options), "the districts")
        p.shot("06-address-0")
        yield from search_address(p, p.screen().ids.picker, search, "06-address-search")
    else:
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


def shots_in_every_mode(p: Any, name: str) -> Iterator[float]:
    """The screen as it is, in Chinese, in English and in large type (then back to Chinese, normal type)."""
    p.shot(name)
    p.tap("tool_lang")
    yield 0.4
    p.shot(f"{name}-en")
    p.tap("tool_lang")
    yield 0.2
    p.tap("tool_elderly")
    yield 0.5
    p.shot(f"{name}-large")
    p.tap("tool_elderly")
    yield 0.4


def type_trade(p: Any, trade: str) -> Iterator[float]:
    """The trade name typed on the keyboard (the field cleared first), the keyboard put away."""
    name = p.screen()
    keyboard = p.app.keyboard
    if keyboard.target is not name.ids.trade or not keyboard.shown:
        p.tap(name.ids.trade)
        yield 0.2
    for _ in range(40):  # clear the field as a finger does, key by key
        if not name.ids.trade.text:
            break
        p.tap(keyboard.key_button("back"))
    yield 0.1
    yield from type_with_keyboard(p, trade, name.ids.trade)
    p.tap(keyboard.key_button("done"))
    yield 0.2
    p.expect(name.ids.trade.text == trade, f"typed {trade!r} ({name.ids.trade.text!r})")


def name_step(p: Any, trade: str = "星河", taken_first: str | None = None) -> Iterator[float]:
    """The trade name typed; a taken one (``taken_first``) shows the platform's suggestions as chips,
    photographed in every mode, and the citizen taps the first; the full name as the licence prints it."""
    name = p.screen()
    yield 0.2
    if taken_first:
        yield from type_trade(p, taken_first)
        yield from wait_for(p, lambda: bool(name.check) and bool(name.suggestions), "the suggestions for a taken name")
        p.expect(not name.check.get("available"), f"{taken_first} is taken")
        yield 0.3
        yield from shots_in_every_mode(p, "05-name-taken")
        first = name.suggestions[0]
        p.tap(find_text(name.ids.suggestions, first))
        yield from wait_for(p, lambda: bool(name.check) and name.check.get("available"), "the suggestion checked")
        p.expect(name.trade_name == first, f"the chip wrote {first!r}")
    else:
        yield from type_trade(p, trade)
        yield from wait_for(p, lambda: bool(name.check), "the live name check")
        if not name.check.get("available"):  # taken (the demo run twice): the citizen takes the first suggestion
            p.tap(find_text(name.ids.suggestions, name.suggestions[0]))
            yield from wait_for(p, lambda: bool(name.check) and name.check.get("available"), "an available name")
    p.expect(name.ids.preview.text.endswith(name.full_name()), f"the full name previewed ({name.ids.preview.text})")
    p.shot("05-name-checked")


def in_view(widget: Any) -> Any:
    """Scroll ``widget`` into its ScrollView's viewport (as a finger would) and give it back, to be tapped."""
    parent = widget.parent
    while parent is not None and not hasattr(parent, "scroll_to"):
        parent = parent.parent
    if parent is not None and parent.children and parent.children[0].height > parent.height:  # only if it scrolls
        parent.scroll_to(widget, padding=10, animate=False)
        parent.update_from_scroll()  # now, not on the next frame: the tap that follows lands on it
    return widget


def chip(row: Any, id_number: str) -> Any:
    """The person's chip in an office's row of the officers step."""
    for w in row.ids.chips.children:
        if getattr(w, "id_number", None) == id_number:
            return in_view(w)
    raise AssertionError(f"no chip for {id_number} in {row.office}")


def person_number(name: str) -> str:
    """The ID number on the sample card ``name``, once it was put on the reader."""
    return CARD_NUMBERS[name]


def read_shareholders(p: Any, *cards: str) -> Iterator[float]:
    """Each shareholder puts their card on the reader in turn."""
    holders = p.screen()
    for n, card in enumerate(cards, 1):
        p.tap("read")
        yield from read_card(p, card, "shareholders")
        yield from wait_for(p, lambda n=n: len(holders.rows) == n and not holders.waiting, f"shareholder {n}")


def set_contribution(p: Any, card: str, wan: int | None = None, method: str | None = None,
                     years: int | None = None, rest: bool = False) -> Iterator[float]:
    """On the contributions step: tap the shareholder, type the amount (or take the rest), pick the rest."""
    screen = p.screen()
    number = person_number(card)
    row = next(w for w in screen.ids.holders.children if getattr(w, "id_number", None) == number)
    p.tap(in_view(row))
    yield 0.1
    if rest:
        p.tap("rest")
    elif wan is not None:
        for _ in range(8):
            p.tap(find_text(screen.ids.pad, p.app.tr("key.delete")))
        type_digits(p, screen, str(wan))
    if method:
        p.tap(in_view(next(c for c in screen.ids.methods.children if c.method == method)))
    if years:
        p.tap(in_view(screen.ids[f"years{years}"]))
    yield 0.2


def people_and_items(p: Any, mail: bool = False, all_modes: bool = False) -> Iterator[float]:
    """Two shareholders read their cards → their contributions → officers (张 director, manager, legal
    representative and finance officer; 李 supervisor) → all five linked items (the seal and the UKey mailed
    free to the company's address when ``mail``) → check your answers."""
    yield from read_shareholders(p, "zhang", "li")
    p.shot("09-shareholders")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "contributions"), "contributions step")
    yield from set_contribution(p, "zhang", wan=60)
    yield from set_contribution(p, "li", rest=True, years=3)
    contributions = p.screen()
    p.expect(contributions.balanced, f"the contributions add up ({contributions.total_text})")
    if all_modes:
        yield from shots_in_every_mode(p, "09-contributions")
    else:
        p.shot("09-contributions")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "officers"), "officers step")
    officers = p.screen()
    p.tap(chip(officers.ids.row_supervisor, person_number("li")))
    yield 0.1
    p.tap(chip(officers.ids.row_finance_officer, person_number("zhang")))  # a supervisor may not be one: CL art. 76
    yield 0.2
    p.expect(not officers.conflicts, f"no conflict ({[c.message_zh for c in officers.conflicts]})")
    officers.ids.scroll.scroll_y = 1  # the page from its top, as the citizen saw it first
    yield 0.2
    if all_modes:
        yield from shots_in_every_mode(p, "10-officers")
    else:
        p.shot("10-officers")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "linked"), "linked items step")
    p.tap("all")
    yield 0.3  # the bank choice is open once the bank item is chosen
    p.tap(find_text(p.screen(), "中国工商银行"))
    yield 0.2
    if mail:
        p.tap("mail")
        yield 0.3
        p.expect(p.screen().delivery.get("method") == "mail" and bool(p.screen().delivery.get("address_code")),
                 f"mailed to the company's address ({p.screen().delivery})")
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


def help_and_cancel(p: Any) -> Iterator[float]:
    """A wrong start: the help of a step, then 取消办理 — asked first, told what would be forgotten."""
    app = p.app
    p.tap("open")
    yield from wait_for(p, screen_is(p, "entity_type"), "entity type")
    p.tap("tool_help")
    yield 0.4
    p.shot("00-help")
    p.tap(app.dialog.buttons["ok"])
    yield 0.2
    p.tap("llc")
    yield from wait_for(p, screen_is(p, "applicant_card"), "the card step")
    p.tap("home")
    yield 0.4
    p.expect(app.dialog.name == "confirm_home", "取消办理 asks first")
    p.shot("00-cancel-asks")
    p.tap(app.dialog.buttons["leave"])
    yield from farewell(p, level=None)


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
    p.tap("page_down")
    yield 0.3
    p.shot("00-guide-page-2")
    p.tap("start")
    yield from wait_for(p, screen_is(p, "entity_type"), "the start from the guide")
    p.tap("home")  # nothing entered yet: home at once, nothing to confirm
    yield from wait_for(p, screen_is(p, "home"), "home")
    yield from help_and_cancel(p)
    yield from open_company(p, search="dfel", mail=True, taken_first="华信", all_modes=True)  # 阳江市华信科技有限公司 is registered
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
    p.tap("say")  # the acceptance number read out again, digit by digit
    yield 0.2
    p.tap("finish")
    yield from farewell(p, 5, "fast", "16-farewell-rated")
    p.shot("16-home-again")
    if decision.get("acceptance_no") and decision.get("decision") != "queued":  # queued: the platform is away
        yield from query_progress(p, decision["acceptance_no"])
        save_printed(p, outcome)  # and the progress receipt
    if decision.get("decision") == "approved" and decision.get("e_license"):
        yield from lifecycle_walk(p, decision["e_license"], decision["uscc"])
        save_printed(p, outcome)  # and the lifecycle receipts


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
    while p.app.sm.current == "progress":  # back: the list (if there was one), the choice, the farewell
        p.tap("back")
        yield 0.3
    yield from farewell(p, 4, "simple", "21-progress-farewell")


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


# -- a company's later life (kiosk/journeys/lifecycle.py): reusable parts of the demo and the UI tests --------
SAMPLE_PEOPLE = {"张伟明": "zhang", "李秀英": "li", "陈国强": "chen"}  # the simulator's sample cards, by name


def card_for(signer: dict[str, Any], cards: dict[str, Any] | None = None) -> Any:
    """The ID card a signer puts on the reader: one of ``cards`` (by ID number or name), else a sample card."""
    for key in (signer.get("id_number"), signer.get("name")):
        if key and key in (cards or {}):
            return (cards or {})[key]
    name = SAMPLE_PEOPLE.get(str(signer.get("name")))
    if name is None:
        raise AssertionError(f"no card for {signer.get('name')}")
    return name


def type_code(p: Any, text: str) -> Iterator[float]:
    """Letters and digits on the on-screen keyboard (English letters, the digits layout for digits)."""
    keyboard = p.app.keyboard
    for ch in text:
        want = "digits" if ch.isdigit() else "english"
        if keyboard.mode != want:
            if want == "digits":
                p.tap(keyboard.key_button("mode:digits"))
            else:
                if keyboard.mode == "digits":
                    p.tap(keyboard.key_button("mode:pinyin"))
                    yield 0.05
                p.tap(keyboard.key_button("mode:english"))
            yield 0.05  # new keys are laid out on the next frame
        p.tap(keyboard.key_button(ch.lower()))
    yield 0.1


def open_company_of(p: Any, kind: str, e_license: str | None = None, uscc: str | None = None,
                    shot: str = "") -> Iterator[float]:
    """Home → one of the lifecycle tiles → the company: its e-licence QR shown to the camera, or its USCC typed."""
    tile = {"change": "change", "deregistration": "deregister", "suspension": "suspend", "reprint": "reprint"}[kind]
    p.tap(tile)
    yield from wait_for(p, screen_is(p, "company"), "the company step")
    yield 0.5
    if shot:
        p.shot(shot + "company")
    if e_license:
        camera = p.app.runtime.devices["camera"]
        camera.simulator.show_text(e_license)
        yield from wait_for(p, screen_is(p, "applicant_card"), "the legal representative's card", 20)
        camera.simulator.show_nothing()
    else:
        screen = p.screen()
        p.tap(screen.ids.code)
        yield 0.3
        yield from type_code(p, uscc or "")
        if shot:
            p.shot(shot + "uscc-typed")
        p.tap("look_up")
        yield from wait_for(p, screen_is(p, "applicant_card"), "the legal representative's card", 20)


def life_identity(p: Any, card: Any, phone_number: str, then: str) -> Iterator[float]:
    """The legal representative's card, phone and face; the platform hands over the company's record."""
    yield from identify_person(p, card, phone_number)
    yield from wait_for(p, screen_is(p, then), then, 30)
    screen = p.screen()
    yield from wait_for(p, lambda: screen.ready or screen.refused, "the company's record", 20)


def sign_life(p: Any, cards: dict[str, Any] | None = None, timeout: float = 60, prefix: str = "") -> Iterator[float]:
    """Check your answers → each signer reads their own card, then signs → submission → the result."""
    p.shot(f"{prefix}check-your-answers")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "life_sign"), "signing")
    n = 0
    while p.app.sm.current == "life_sign":
        screen = p.screen()
        who = dict(screen.signer)
        if screen.needs_card:
            p.shot(f"{prefix}sign-card")
            yield from read_card(p, card_for(who, cards), "life_sign")
            yield from wait_for(p, lambda s=screen: not s.needs_card, f"{who.get('name')}'s card")
        n += 1
        yield from sign(p)
        p.shot(f"{prefix}sign-{n}")
        p.tap("confirm")
        yield from wait_for(p, lambda w=who: p.app.sm.current != "life_sign" or p.screen().signer != w,
                            "the next signer")
    yield from wait_for(p, screen_is(p, "life_result"), "the decision", timeout)
    yield 0.3
    p.shot(f"{prefix}result")


def change_name(p: Any, e_license: str, card: Any, trade: str, phone_number: str,
                cards: dict[str, Any] | None = None, prefix: str = "21-change-") -> Iterator[float]:
    """变更登记 of the name: the e-licence QR, identity, only the name step (prefilled), every shareholder signs."""
    yield from open_company_of(p, "change", e_license=e_license, shot=prefix)
    yield from life_identity(p, card, phone_number, "change_what")
    what = p.screen()
    p.shot(prefix + "what")
    p.tap(next(r.ids.toggle for r in what.ids.item_rows.children if r.item == "name"))
    yield 0.2
    p.tap("next")
    yield from wait_for(p, screen_is(p, "name"), "the name step")
    name = p.screen()
    p.expect(bool(name.trade_name), "the name step is prefilled with the registered name")
    p.shot(prefix + "name-prefilled")
    p.tap(name.ids.trade)
    yield 0.2
    for _ in range(len(name.ids.trade.text)):
        p.tap(p.app.keyboard.key_button("back"))
    yield from type_with_keyboard(p, trade, name.ids.trade)
    p.tap(p.app.keyboard.key_button("done"))
    yield from wait_for(p, lambda: bool(name.check), "the live name check")
    p.shot(prefix + "name-new")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "life_check"), "check your answers")
    yield from sign_life(p, cards, prefix=prefix)


def change_address(p: Any, uscc: str, card: Any, phone_number: str, street: str | None = None,
                   cards: dict[str, Any] | None = None, prefix: str = "22-address-") -> Iterator[float]:
    """变更登记 of the address: the USCC typed, identity, only the address step."""
    yield from open_company_of(p, "change", uscc=uscc, shot=prefix)
    yield from life_identity(p, card, phone_number, "change_what")
    what = p.screen()
    p.tap(next(r.ids.toggle for r in what.ids.item_rows.children if r.item == "address"))
    yield 0.2
    p.tap("next")
    yield from wait_for(p, screen_is(p, "address"), "the address step")
    yield from pick_address(p, street)
    yield from wait_for(p, screen_is(p, "life_check"), "check your answers")
    yield from sign_life(p, cards, prefix=prefix)


def suspend(p: Any, uscc: str, card: Any, phone_number: str, months: int = 6,
            prefix: str = "23-suspend-") -> Iterator[float]:
    """歇业备案: from today, ``months`` long, the first statutory cause, the registered address for documents."""
    yield from open_company_of(p, "suspension", uscc=uscc, shot=prefix)
    yield from life_identity(p, card, phone_number, "suspension")
    screen = p.screen()
    p.tap(find_text(screen.ids.months, p.app.tr("life.suspension.months", n=str(months))))
    p.tap(list(reversed(screen.ids.causes.children))[0])
    yield 0.2
    p.shot(prefix + "period")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "life_check"), "check your answers")
    yield from sign_life(p, prefix=prefix)


def resume_business(p: Any, uscc: str, card: Any, phone_number: str,
                    prefix: str = "24-resume-") -> Iterator[float]:
    """Resuming early: the suspended company's legal representative ends the suspension today."""
    yield from open_company_of(p, "suspension", uscc=uscc)
    yield from life_identity(p, card, phone_number, "suspension")
    p.shot(prefix + "suspended")
    p.tap("resume")
    yield from wait_for(p, screen_is(p, "life_check"), "check your answers")
    yield from sign_life(p, prefix=prefix)


def deregister(p: Any, e_license: str, card: Any, phone_number: str, cards: dict[str, Any] | None = None,
               prefix: str = "25-dereg-", finish: bool = True) -> Iterator[float]:
    """注销: the one table first, then simplified when the company qualifies (else ordinary), every shareholder
    signs; ``finish=False`` stops at the procedure page (the caller looks at it)."""
    yield from open_company_of(p, "deregistration", e_license=e_license, shot=prefix)
    yield from life_identity(p, card, phone_number, "clearance")
    table = p.screen()
    yield from wait_for(p, lambda: bool(table.table), "the one table", 20)
    p.shot(prefix + "one-table")
    p.tap("next")
    yield from wait_for(p, screen_is(p, "procedure"), "the procedure")
    procedure = p.screen()
    p.tap("simplified" if procedure.allowed else "ordinary")
    p.tap(list(reversed(procedure.ids.reasons.children))[0])
    yield 0.2
    p.shot(prefix + "procedure")
    if not finish:
        return
    p.tap("next")
    yield from wait_for(p, screen_is(p, "life_check"), "check your answers")
    yield from sign_life(p, cards, prefix=prefix)


def reprint_licence(p: Any, uscc: str, card: Any, phone_number: str, copies: tuple[str, ...] = ("original",),
                    prefix: str = "26-reprint-") -> Iterator[float]:
    """补打营业执照: the USCC typed, identity, the copies, printed on the document printer."""
    yield from open_company_of(p, "reprint", uscc=uscc, shot=prefix)
    yield from life_identity(p, card, phone_number, "copies")
    screen = p.screen()
    for copy in copies:
        if copy not in screen.chosen:
            p.tap(copy)
    for copy in list(screen.chosen):
        if copy not in copies:
            p.tap(copy)
    yield 0.2
    p.shot(prefix + "copies")
    p.tap("print")
    yield from wait_for(p, screen_is(p, "life_result"), "the licence printed", 40)
    yield 0.3
    p.shot(prefix + "printed")


def finish_visit(p: Any) -> Iterator[float]:
    p.tap("finish")
    yield from wait_for(p, screen_is(p, "home"), "home")


def lifecycle_walk(p: Any, e_license: str, uscc: str) -> Iterator[float]:
    """After the registration: the company's later life — its name changed (QR code), its licence reprinted
    (USCC typed), a suspension filed and business resumed, and its deregistration (the one table first)."""
    zhang = "zhang"  # the sample card of 张伟明, the company's legal representative
    app = p.app
    walk: dict[str, Any] = {}
    yield from change_name(p, e_license, zhang, "星河远航", "13800138001")
    decision = (app.outcome or {}).get("decision") or {}
    walk["change"] = {"decision": decision.get("decision"), "uscc": decision.get("uscc"),
                      "licence_printed": (app.outcome or {}).get("licence_printed")}
    if p.out_dir is not None and (app.outcome or {}).get("licence_pdf"):
        (p.out_dir / "licence-after-change.pdf").write_bytes(app.outcome["licence_pdf"])
    yield from finish_visit(p)
    yield from reprint_licence(p, uscc, zhang, "13800138002")
    reprinted = (app.journey.reprinted if app.journey is not None else None) or {}
    walk["reprint"] = reprinted.get("copies")
    yield from finish_visit(p)
    yield from suspend(p, uscc, zhang, "13800138003")
    walk["suspension"] = ((app.outcome or {}).get("decision") or {}).get("decision")
    yield from finish_visit(p)
    yield from resume_business(p, uscc, zhang, "13800138004")
    walk["resumed"] = ((app.outcome or {}).get("decision") or {}).get("decision")
    yield from finish_visit(p)
    yield from deregister(p, e_license, zhang, "13800138005")
    decision = (app.outcome or {}).get("decision") or {}
    walk["deregistration"] = {"decision": decision.get("decision"), "until": decision.get("announcement_until"),
                              "effective_on": decision.get("effective_on")}
    yield from finish_visit(p)
    p.result["lifecycle"] = walk

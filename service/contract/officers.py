"""Who may hold which office in a company, and which offices one person may hold together.

One rule for the kiosk's officers step (which refuses a conflict before the citizen goes on) and the
platform's approval (``OFFICERS_INVALID``): both call :func:`officer_conflicts` and say the same words.
The legal facts are :mod:`service.contract.law`'s (Company Law 2023 arts. 10, 68, 75, 76, 83, 265):

* directors: one director (董事, a small company) or a board of at least three (董事会);
* the legal representative: the director who executes the company's affairs, or the manager;
* supervisors: one supervisor, a board of at least three, or none when all shareholders agree;
* a director or senior manager (the manager, the finance officer) may not be a supervisor;
* one director may also be the manager (art. 75); the registration contact (联络员) may be anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.contract import ids, law
from service.contract.models import Officers, Person


@dataclass(frozen=True)
class Conflict:
    """What is wrong with the officers: the field, the Chinese the platform prints, the English."""

    field: str
    zh: str
    en: str


def _en(p: Person) -> str:
    return p.name_en or p.name or ""


def officer_conflicts(o: Officers, llc: bool, prefix: str = "officers") -> list[Conflict]:
    """Every conflict in ``o`` (empty when the officers may be registered as they are)."""
    out: list[Conflict] = []
    rep = o.legal_representative
    if rep is None or not rep.name or not rep.id_number:
        return [Conflict(f"{prefix}.legal_representative", "请确定法定代表人。", "Choose the legal representative.")]
    if not llc:
        return out
    key = ids.normalise
    directors = {key(p.id_number): p for p in o.directors}
    managers = {key(p.id_number): p for p in o.managers}
    if not directors:
        out.append(Conflict(f"{prefix}.directors", "请确定董事：设一名董事，或设三人以上的董事会。",
                            "Choose the director: one director, or a board of three or more."))
    elif 1 < len(directors) < law.BOARD_MIN:
        out.append(Conflict(f"{prefix}.directors",
                            f"董事会成员应为三人以上；规模较小的公司可以只设一名董事（现为{len(directors)}人）。",
                            f"A board of directors has at least three members; a small company may have a "
                            f"single director instead (now {len(directors)})."))
    if key(rep.id_number) not in directors and key(rep.id_number) not in managers:
        out.append(Conflict(f"{prefix}.legal_representative",
                            f"法定代表人{rep.name}应由执行公司事务的董事或者经理担任，请重新选择。",
                            f"The legal representative ({_en(rep)}) must be the director who runs the company's "
                            f"affairs, or the manager: choose again."))
    supervisors = o.all_supervisors()
    if o.supervisors and len(o.supervisors) + (1 if o.supervisor else 0) < law.SUPERVISORY_BOARD_MIN:
        out.append(Conflict(f"{prefix}.supervisors", "监事会成员应为三人以上；也可以只设一名监事。",
                            "A board of supervisors has at least three members; or have a single supervisor."))
    if not supervisors and not o.no_supervisor_consent:
        out.append(Conflict(f"{prefix}.supervisor", "请设一名监事；经全体股东一致同意，也可以不设监事。",
                            "Choose a supervisor; or, if all shareholders agree, have none."))
    finance = key(o.finance_officer.id_number) if o.finance_officer is not None else None
    for s in supervisors:
        k = key(s.id_number)
        if k in directors:
            out.append(Conflict(f"{prefix}.supervisor", f"监事{s.name}同时担任董事：董事不得兼任监事，请更换监事。",
                                f"The supervisor {_en(s)} is also a director: a director may not be a supervisor. "
                                f"Choose another supervisor."))
        elif k in managers:
            out.append(Conflict(f"{prefix}.supervisor",
                                f"监事{s.name}同时担任经理：高级管理人员不得兼任监事，请更换监事。",
                                f"The supervisor {_en(s)} is also the manager: a senior manager may not be a "
                                f"supervisor. Choose another supervisor."))
        elif k == finance:
            out.append(Conflict(f"{prefix}.supervisor",
                                f"监事{s.name}同时担任财务负责人：财务负责人属于高级管理人员，不得兼任监事，请更换监事或财务负责人。",
                                f"The supervisor {_en(s)} is also the finance officer, who is a senior manager and "
                                f"may not be a supervisor: choose another supervisor or finance officer."))
    return out


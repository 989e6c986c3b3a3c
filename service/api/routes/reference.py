"""What anyone may ask while filling in: is a name available, the standard addresses, the scope catalogue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from service.api.deps import anyone, get_platform
from service.platform import Actor, Platform
from service.schemas import AddressOption, NameCheck, ScopeOption

router = APIRouter(tags=["reference"])
_Q = r"^[^\x00-\x1f\x7f]*$"  # query texts: no control characters


@router.get("/api/v1/names/check", response_model=NameCheck, tags=["names"])
def check_name(region: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
               trade_name: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
               industry: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
               form: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
               _actor: Actor = Depends(anyone), platform: Platform = Depends(get_platform)) -> Any:
    return platform.check_name(region.strip(), trade_name.strip(), industry.strip(), form.strip())


@router.get("/api/v1/addresses", response_model=list[AddressOption])
def addresses(level: Annotated[int, Query(ge=0, le=2)] = 0,
              parent: Annotated[str | None, Query(max_length=120, pattern=_Q)] = None,
              _actor: Actor = Depends(anyone), platform: Platform = Depends(get_platform)) -> Any:
    """The picker: districts (0), streets of a district (1), buildings and units of a street (2), sorted."""
    return platform.ref.address_options(level, parent)


@router.get("/api/v1/addresses/search", response_model=list[AddressOption])
def search_addresses(q: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
                     division: Annotated[str | None, Query(max_length=6, pattern=_Q)] = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 40,
                     _actor: Actor = Depends(anyone), platform: Platform = Depends(get_platform)) -> Any:
    """By Chinese text or pinyin (initials ``dfel`` or full ``dongfeng`` find 东风二路)."""
    return platform.ref.search_addresses(q, division, limit)


@router.get("/api/v1/scopes/search", response_model=list[ScopeOption])
def search_scopes(q: Annotated[str, Query(max_length=60, pattern=_Q)] = "",
                  limit: Annotated[int, Query(ge=1, le=200)] = 40,
                  _actor: Actor = Depends(anyone), platform: Platform = Depends(get_platform)) -> Any:
    return platform.ref.search_scopes(q, limit)

"""Tokens: who is calling, whether the token still works, appsecret_proof, /debug_token.

Order of checks, as Graph does it: no token (104), unknown token (190), appsecret_proof
(100, GraphMethodException), then the token's validity (190 with a subcode).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import errors
from .clock import PACIFIC
from .records import GraphRequest
from .world import Page, Token

if TYPE_CHECKING:
    from .state import SandboxState

RESTORED_LIFETIME_S = 60 * 86_400
PAGE_SCOPES = frozenset(
    {
        "pages_show_list",
        "pages_read_engagement",
        "pages_manage_posts",
        "pages_manage_metadata",
        "pages_manage_engagement",
        "pages_read_user_content",
        "read_insights",
    }
)
DEBUG_TYPES = {"system_user": "USER", "user": "USER", "page": "PAGE", "app": "APP"}


def appsecret_proof(secret: str, token: str) -> str:
    """The lowercase hex HMAC-SHA256 of the token, keyed with the app secret."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _pacific(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=PACIFIC).strftime("%A, %d-%b-%y %H:%M:%S %Z")


def token_problem(state: SandboxState, token: Token, now: float) -> errors.GraphError | None:
    """Why this token does not work now (190 and its subcode), or None."""
    if token.restore_at is not None and now >= token.restore_at:
        token.invalid_subcode = None
        token.restore_at = None
        if token.expires_at and token.expires_at <= now:
            token.expires_at = int(now) + RESTORED_LIFETIME_S
    if token.invalid_subcode is not None:
        return errors.token_invalid(
            token.invalid_subcode,
            app_id=state.world.app_id,
            expired=_pacific(now),
            now=_pacific(now),
        )
    if token.expires_at and now >= token.expires_at:
        restore = state.config.limits.token_restore_s
        if restore and token.restore_at is None:
            token.restore_at = now + restore
        return errors.token_invalid(
            463, expired=_pacific(token.expires_at), now=_pacific(now), app_id=state.world.app_id
        )
    page_role = (token.user_id or "", token.subject_id)
    if token.kind == "page" and not state.world.roles.get(page_role):
        return errors.token_invalid(492)
    return None


def token_invalidate(
    state: SandboxState, token: Token, *, subcode: int, restore_after_s: float | None
) -> None:
    """Expire or invalidate a token (sandbox control, chaos); optionally only for a while."""
    now = state.now()
    token.invalid_subcode = subcode
    if restore_after_s is None:
        restore_after_s = state.config.limits.token_restore_s
    token.restore_at = now + restore_after_s if restore_after_s is not None else None
    if subcode == 463:
        token.expires_at = int(now)


def check_appsecret_proof(state: SandboxState, token_value: str, proof: str | None) -> None:
    # A proof that is present is always checked, required or not (as Graph does). When the
    # app requires proofs, every token needs one, app tokens included (the strict reading).
    if not proof:
        if state.config.require_appsecret_proof:
            raise errors.appsecret_proof_missing()
        return
    expected = appsecret_proof(state.world.app_secret, token_value)
    if not hmac.compare_digest(proof, expected):
        raise errors.appsecret_proof_invalid()


def authenticate(state: SandboxState, req: GraphRequest, now: float) -> Token:
    value = req.params.get("access_token")
    if not value:
        raise errors.token_missing()
    token = state.world.tokens.get(value)
    if token is None:
        raise errors.token_unparseable()
    check_appsecret_proof(state, value, req.params.get("appsecret_proof"))
    problem = token_problem(state, token, now)
    if problem is not None:
        raise problem
    return token


# --- Permissions ---------------------------------------------------------------------------


def require_scope(token: Token, scope: str) -> None:
    if scope not in token.scopes:
        raise errors.permission_missing(scope)


def tasks_on(state: SandboxState, token: Token, page: Page) -> list[str]:
    """The tasks the token's user holds on the Page (a Page token: only on its own Page)."""
    if token.kind == "page":
        if token.subject_id != page.id or token.user_id is None:
            return []
        return state.world.roles.get((token.user_id, page.id), [])
    if token.kind in ("user", "system_user"):
        return state.world.roles.get((token.subject_id, page.id), [])
    return []


def can_see_page(state: SandboxState, token: Token, page: Page) -> bool:
    """Unpublished Pages are visible only to people with a role on them."""
    return page.is_published or bool(tasks_on(state, token, page))


def require_page_token(token: Token, page: Page) -> None:
    if token.kind != "page":
        raise errors.page_token_required()
    if token.subject_id != page.id:
        raise errors.permissions_error()


def require_publisher(state: SandboxState, token: Token, page: Page) -> None:
    """Publishing needs this Page's token, pages_manage_posts and the CREATE_CONTENT task."""
    if token.kind != "page" or token.subject_id != page.id:
        raise errors.publish_permission()
    require_scope(token, "pages_manage_posts")
    if "CREATE_CONTENT" not in tasks_on(state, token, page):
        raise errors.publish_permission()


def require_reader(state: SandboxState, token: Token, page: Page) -> None:
    """Reading a Page's posts: its own Page token, or a user with a role on the Page."""
    if token.kind == "app" or not tasks_on(state, token, page):
        raise errors.GraphError(
            10,
            "(#10) This endpoint requires the 'pages_read_engagement' permission or the "
            "'Page Public Content Access' feature.",
        )
    require_scope(token, "pages_read_engagement")


# --- /debug_token ------------------------------------------------------------------------


def debug_token(state: SandboxState, req: GraphRequest, now: float) -> dict[str, Any]:
    world = state.world
    value = req.params.get("input_token")
    if not value:
        raise errors.invalid_param("The parameter input_token is required")
    target = world.tokens.get(value)
    if target is None:
        return {
            "data": {
                "error": {
                    "code": 190,
                    "message": "Invalid OAuth access token - Cannot parse access token",
                },
                "is_valid": False,
                "scopes": [],
            }
        }
    data: dict[str, Any] = {
        "app_id": world.app_id,
        # A system user's token reports USER: the reference knows USER, PAGE and APP only.
        "type": DEBUG_TYPES[target.kind],
        "application": world.app_name,
        "data_access_expires_at": target.data_access_expires_at,
        "expires_at": target.expires_at,
        "is_valid": True,
    }
    if target.issued_at:
        data["issued_at"] = target.issued_at
    if target.kind == "page":
        data["profile_id"] = target.subject_id  # UNCONFIRMED (client code), included
    data["scopes"] = list(target.scopes)
    if target.kind != "app":
        user_id = target.user_id or target.subject_id
        targets = [
            page.id
            for page in world.pages
            if world.roles.get((user_id, page.id))
            and (target.kind != "page" or page.id == target.subject_id)
        ]
        data["granular_scopes"] = [
            {"scope": scope, "target_ids": targets} if scope in PAGE_SCOPES else {"scope": scope}
            for scope in target.scopes
        ]
        data["user_id"] = user_id
    problem = token_problem(state, target, now)
    if problem is not None:
        data["is_valid"] = False
        data["error"] = {
            "code": problem.code,
            "message": problem.message,
            "subcode": problem.subcode,
        }
    return {"data": data}

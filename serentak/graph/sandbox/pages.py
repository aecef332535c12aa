"""Pages, users, the business and the app as Graph nodes; /me/accounts, business edges,
the ``picture`` edge and ``subscribed_apps``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import errors
from .auth import require_page_token, require_scope, tasks_on
from .fields import FieldSpec, Getter, paginate, parse_fields, select
from .records import CallContext, GraphRequest, GraphResult
from .world import CATEGORY, CATEGORY_LIST, SILHOUETTE, Page, Token, User

if TYPE_CHECKING:
    from .state import SandboxState

PAGE_DEFAULT = ("name", "id")
ACCOUNTS_DEFAULT = ("access_token", "category", "category_list", "name", "id", "tasks")
PICTURE_SIZES = {"small": 50, "square": 50, "album": 50, "normal": 100, "large": 200}


def subselect(value: dict[str, Any], spec: FieldSpec, node_type: str) -> dict[str, Any]:
    """Apply ``field{a,b}`` to a nested object."""
    if not spec.children:
        return value
    out = {}
    for child in spec.children:
        if child.name not in value:
            raise errors.nonexisting_field(child.name, node_type)
        out[child.name] = value[child.name]
    return out


def picture_data(page: Page, modifiers: dict[str, str]) -> dict[str, Any]:
    size = PICTURE_SIZES.get(modifiers.get("type", "small"), 50)
    width = int(modifiers.get("width", size)) if modifiers.get("width", "").isdigit() else size
    height = int(modifiers.get("height", width)) if modifiers.get("height", "").isdigit() else width
    return {
        "height": height,
        "is_silhouette": page.picture_url is None,
        "url": page.picture_url or SILHOUETTE,
        "width": width,
    }


def page_access_token(state: SandboxState, token: Token, page: Page) -> str | None:
    """Returned only to someone with a role on the Page."""
    if token.kind == "page":
        return token.value if token.subject_id == page.id else None
    if token.kind in ("user", "system_user") and tasks_on(state, token, page):
        return state.world.page_tokens.get((token.subject_id, page.id))
    return None


def page_getters(state: SandboxState, token: Token, page: Page) -> dict[str, Getter]:
    def picture(spec: FieldSpec) -> dict[str, Any]:
        data = picture_data(page, spec.modifiers)
        return {"data": subselect(data, spec, "ProfilePictureSource")}

    def cover(spec: FieldSpec) -> dict[str, Any] | None:
        if page.picture_url is None:
            return None
        cover_id = str(int(page.id) + 1)
        value = {
            "cover_id": cover_id,
            "offset_x": 50,
            "offset_y": 50,
            "source": page.picture_url.replace("30808-1", "30808-6"),
            "id": cover_id,
        }
        return subselect(value, spec, "CoverPhoto")

    def category_list(spec: FieldSpec) -> list[dict[str, Any]]:
        return [subselect(item, spec, "PageCategory") for item in CATEGORY_LIST]

    return {
        "id": lambda _: page.id,
        "name": lambda _: page.name,
        "username": lambda _: page.username,
        "link": lambda _: page.link,
        "category": lambda _: CATEGORY,
        "category_list": category_list,
        "fan_count": lambda _: page.fan_count,
        "followers_count": lambda _: page.followers_count,
        "verification_status": lambda _: page.verification_status,
        "website": lambda _: page.website,
        "about": lambda _: page.about,
        "description": lambda _: page.description,
        "emails": lambda _: list(page.emails),
        "phone": lambda _: page.phone,
        "single_line_address": lambda _: page.single_line_address,
        "is_published": lambda _: page.is_published,
        "picture": picture,
        "cover": cover,
        "has_transitioned_to_new_page_experience": lambda _: True,
        "is_webhooks_subscribed": lambda _: bool(page.subscribed_fields),
        "is_owned": lambda _: page.business_edge == "owned_pages",
        "talking_about_count": lambda _: page.talking_about_count,
        "temporary_status": lambda _: "no_data",
        "access_token": lambda _: page_access_token(state, token, page),
    }


def page_render(
    state: SandboxState,
    token: Token,
    page: Page,
    specs: list[FieldSpec] | None,
    *,
    default: tuple[str, ...] = PAGE_DEFAULT,
    with_tasks: bool = False,
) -> dict[str, Any]:
    getters = page_getters(state, token, page)
    if with_tasks:
        getters["tasks"] = lambda _: list(tasks_on(state, token, page))
    return select(getters, specs, default=default, node_type="Page")


def page_get(state: SandboxState, *, req: GraphRequest, token: Token, page: Page) -> Any:
    if token.kind == "app":
        raise errors.permission_missing("pages_read_engagement")
    require_scope(token, "pages_read_engagement")
    return page_render(state, token, page, parse_fields(req.params.get("fields")))


def picture_get(page: Page, req: GraphRequest) -> Any:
    """``GET /{page-id}/picture``: JSON with ``redirect=0``, else a 302 to the image."""
    data = picture_data(page, dict(req.params))
    if req.params.get("redirect", "1").lower() in ("0", "false"):
        return {"data": data}
    return GraphResult(302, None, {"Location": data["url"]})


# --- Users, /me/accounts -------------------------------------------------------------------


def user_render(user: User, req: GraphRequest) -> dict[str, Any]:
    getters: dict[str, Getter] = {"id": lambda _: user.id, "name": lambda _: user.name}
    return select(
        getters, parse_fields(req.params.get("fields")), default=("name", "id"), node_type="User"
    )


def accounts_list(
    state: SandboxState, *, req: GraphRequest, token: Token, user: User, ctx: CallContext
) -> dict[str, Any]:
    require_scope(token, "pages_show_list")
    world = state.world
    visible = [
        page
        for page in world.pages
        if world.roles.get((user.id, page.id))
        # Pages held only through the business portfolio never show here.
        and (page.in_me_accounts or user.kind == "user")
    ]
    index = {page.id: position for position, page in enumerate(world.pages)}
    chosen, paging = paginate(
        visible,
        key=lambda page: [index[page.id]],
        params=req.params,
        base_url=ctx.base_url,
        path=req.path,
    )
    specs = parse_fields(req.params.get("fields"))
    data = [
        page_render(state, token, page, specs, default=ACCOUNTS_DEFAULT, with_tasks=True)
        for page in chosen
    ]
    return {"data": data, "paging": paging} if paging else {"data": data}


# --- The business and the app --------------------------------------------------------------


def business_get(state: SandboxState, req: GraphRequest) -> dict[str, Any]:
    world = state.world
    getters: dict[str, Getter] = {
        "id": lambda _: world.business_id,
        "name": lambda _: world.business_name,
        "verification_status": lambda _: "verified",
    }
    return select(
        getters,
        parse_fields(req.params.get("fields")),
        default=("id", "name"),
        node_type="Business",
    )


def business_pages(
    state: SandboxState, *, req: GraphRequest, token: Token, edge: str, ctx: CallContext
) -> dict[str, Any]:
    if token.kind != "system_user" or "business_management" not in token.scopes:
        raise errors.GraphError(
            10, "(#10) Requires business_management permission to manage the object"
        )
    world = state.world
    pages = [page for page in world.pages if page.business_edge == edge]
    index = {page.id: position for position, page in enumerate(world.pages)}
    chosen, paging = paginate(
        pages,
        key=lambda page: [index[page.id]],
        params=req.params,
        base_url=ctx.base_url,
        path=req.path,
    )
    specs = parse_fields(req.params.get("fields"))
    data = [page_render(state, token, page, specs, default=("id", "name")) for page in chosen]
    return {"data": data, "paging": paging} if paging else {"data": data}


def app_get(state: SandboxState, req: GraphRequest) -> dict[str, Any]:
    world = state.world
    getters: dict[str, Getter] = {
        "id": lambda _: world.app_id,
        "name": lambda _: world.app_name,
        "link": lambda _: f"https://www.facebook.com/games/?app_id={world.app_id}",
        "category": lambda _: "Business",
    }
    return select(
        getters,
        parse_fields(req.params.get("fields")),
        default=("name", "id"),
        node_type="Application",
    )


# --- Webhook installation: /{page-id}/subscribed_apps ------------------------------------------


def subscribed_apps(
    state: SandboxState, *, req: GraphRequest, token: Token, page: Page
) -> dict[str, Any]:
    require_page_token(token, page)
    require_scope(token, "pages_manage_metadata")
    world = state.world
    if req.method == "GET":
        if not page.subscribed_fields:
            return {"data": []}
        return {
            "data": [
                {
                    "category": "Business",
                    "link": f"https://www.facebook.com/games/?app_id={world.app_id}",
                    "name": world.app_name,
                    "id": world.app_id,
                    "subscribed_fields": list(page.subscribed_fields),
                }
            ]
        }
    if req.method == "DELETE":
        page.subscribed_fields = []
        return {"success": True}
    raw = req.params.get("subscribed_fields")
    if not raw:
        raise errors.invalid_param("The parameter subscribed_fields is required.")
    fields = [name.strip() for name in raw.strip("[]").replace('"', "").split(",") if name.strip()]
    known = {"feed", "mention", "messages", "message_reactions", "name", "picture", "ratings"}
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise errors.invalid_param(
            f"Param subscribed_fields[0] must be one of {{{', '.join(sorted(known))}}} - got "
            f'"{unknown[0]}"'
        )
    page.subscribed_fields = sorted(set(page.subscribed_fields) | set(fields))
    return {"success": True}

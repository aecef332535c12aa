"""One Graph operation, from path to answer: the same code serves plain HTTP requests and
each operation of a batch.

Order: token and appsecret_proof, then the object the path names (unknown, invisible or a
personal profile: 100/33), then rate limits (a refused call still counts), then injected or
random operation faults, then the endpoint itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import auth, errors, insights, pages, posts
from .auth import token_invalidate
from .fields import parse_fields
from .records import CallContext, GraphRequest, GraphResult, Photo, Post
from .world import Page, Token, User

if TYPE_CHECKING:
    from .state import SandboxState

Node = Page | Post | Photo | User | str  # str: "business" or "app"


def execute(state: SandboxState, req: GraphRequest, ctx: CallContext) -> GraphResult:
    """Run one operation under the state lock; a GraphError becomes Graph's error answer."""
    with state.lock:
        ctx.operations += 1
        state.stats["operations"] += 1
        try:
            body = _dispatch(state, req, ctx)
        except errors.GraphError as exc:
            state.stats[f"error_{exc.code}"] += 1
            return GraphResult(
                exc.status, exc.body(ctx.trace_id), {"WWW-Authenticate": exc.www_authenticate()}
            )
        if isinstance(body, GraphResult):
            return body
        return GraphResult(200, body)


def _dispatch(state: SandboxState, req: GraphRequest, ctx: CallContext) -> Any:
    now = state.now()
    if req.method not in ("GET", "POST", "DELETE"):
        raise errors.unsupported_request(req.method, req.path or "/")
    # Method override and JSONP are the legacy quirks v26 removes: refused here already.
    if "method" in req.params or "callback" in req.params:
        raise errors.invalid_param("Method override and JSONP callbacks are not supported")
    segments = req.segments
    token = auth.authenticate(state, req, now)
    cpu = state.usage.cpu_cost(state.config.op_ms)
    if not segments:
        return _root(state, req, token, ctx, now, cpu)
    if segments[0] == "debug_token" and len(segments) == 1:
        state.usage.record(token=token, page=None, now=now, cpu_ms=cpu)
        if req.method != "GET":
            raise errors.unsupported_request(req.method, "debug_token")
        return auth.debug_token(state, req, now)
    if len(segments) > 3:
        raise errors.unsupported_request(req.method, "/".join(segments))
    node = _resolve(state, token, segments[0], req.method)
    page = _page_of(state, node)
    if page is not None:
        ctx.touch(page.id)  # before counting: a throttled answer still carries the header
    state.usage.record(token=token, page=page, now=now, cpu_ms=cpu)
    fault = state.faults.operation_error(page_id=page.id if page else None, method=req.method)
    if fault is not None:
        raise fault
    if token.kind == "page" and state.faults.token_expires():
        token_invalidate(state, token, subcode=463, restore_after_s=None)
        raise errors.token_invalid(463, app_id=state.world.app_id)
    return _route(state, req, token, node, segments[1:], ctx, now)


def _resolve(state: SandboxState, token: Token, node_id: str, method: str) -> Node:
    world = state.world
    if node_id == "me":
        if token.kind == "page":
            return world.pages_by_id[token.subject_id]
        if token.kind == "app":
            raise errors.GraphError(
                2500,
                "An active access token must be used to query information about the current user.",
            )
        user = world.user(token.subject_id)
        if user is None:
            raise errors.unsupported_request(method, node_id)
        return user
    page = world.pages_by_id.get(node_id)
    if page is not None:
        if not auth.can_see_page(state, token, page):
            raise errors.unsupported_request(method, node_id)
        return page
    post = state.posts.get(node_id)
    if post is not None and post.deleted_at is None:
        return post
    photo = state.photos.get(node_id)
    if photo is not None and not photo.deleted:
        return photo
    if node_id == world.business_id:
        return "business"
    if node_id == world.app_id:
        return "app"
    user = world.user(node_id)
    if user is not None and token.subject_id == user.id:
        return user
    # Deleted objects, other people, personal profiles: all equally invisible.
    raise errors.unsupported_request(method, node_id)


def _page_of(state: SandboxState, node: Node) -> Page | None:
    if isinstance(node, Page):
        return node
    if isinstance(node, Post | Photo):
        return state.page(node.page_id)
    return None


def _route(
    state: SandboxState,
    req: GraphRequest,
    token: Token,
    node: Node,
    rest: list[str],
    ctx: CallContext,
    now: float,
) -> Any:
    method = req.method
    edge = rest[0] if rest else ""
    sub = rest[1] if len(rest) > 1 else None
    node_id = req.segments[0]
    if sub is not None and edge != "insights":
        raise errors.unsupported_request(method, "/".join(req.segments))
    if isinstance(node, Page):
        return _page_route(state, req, token, node, edge, sub, ctx, now)
    if isinstance(node, Post):
        page = state.world.pages_by_id[node.page_id]
        if edge == "insights" and method == "GET":
            return insights.post_insights(
                state, req=req, token=token, post=node, page=page, metric_path=sub, now=now
            )
        if edge == "":
            if method == "GET":
                return posts.post_get(state, req=req, token=token, post=node, page=page, now=now)
            if method == "POST":
                return posts.post_update(state, req=req, token=token, post=node, page=page, now=now)
            return posts.post_delete(state, token=token, post=node, page=page, now=now)
    elif isinstance(node, Photo):
        page = state.world.pages_by_id[node.page_id]
        if edge == "" and method == "GET":
            return posts.photo_get(state, req=req, token=token, photo=node, page=page)
        if edge == "" and method == "DELETE":
            return posts.photo_delete(state, token=token, photo=node, page=page)
    elif isinstance(node, User):
        if edge == "" and method == "GET":
            return pages.user_render(node, req)
        if edge == "accounts" and method == "GET":
            return pages.accounts_list(state, req=req, token=token, user=node, ctx=ctx)
        if method == "GET":
            raise errors.nonexisting_field(edge, "User")
    elif node == "business" and method == "GET":
        if edge == "":
            return pages.business_get(state, req)
        if edge in ("owned_pages", "client_pages"):
            return pages.business_pages(state, req=req, token=token, edge=edge, ctx=ctx)
        raise errors.nonexisting_field(edge, "Business")
    elif node == "app" and method == "GET" and edge == "":
        return pages.app_get(state, req)
    raise errors.unsupported_request(method, node_id if not edge else f"{node_id}/{edge}")


def _page_route(
    state: SandboxState,
    req: GraphRequest,
    token: Token,
    page: Page,
    edge: str,
    sub: str | None,
    ctx: CallContext,
    now: float,
) -> Any:
    method = req.method
    if method == "GET":
        if edge == "":
            return pages.page_get(state, req=req, token=token, page=page)
        if edge in posts.LISTING_EDGES:
            return posts.posts_list(
                state, req=req, token=token, page=page, edge=edge, ctx=ctx, now=now
            )
        if edge == "insights":
            return insights.page_insights(
                state, req=req, token=token, page=page, metric_path=sub, ctx=ctx, now=now
            )
        if edge == "subscribed_apps":
            return pages.subscribed_apps(state, req=req, token=token, page=page)
        if edge == "picture":
            return pages.picture_get(page, req)
        raise errors.nonexisting_field(edge, "Page")
    if method == "POST":
        if edge == "feed":
            return posts.feed_create(state, req=req, token=token, page=page, ctx=ctx, now=now)
        if edge == "photos":
            return posts.photo_create(state, req=req, token=token, page=page, ctx=ctx, now=now)
    if edge == "subscribed_apps" and method in ("POST", "DELETE"):
        return pages.subscribed_apps(state, req=req, token=token, page=page)
    raise errors.unsupported_request(method, f"{page.id}/{edge}" if edge else page.id)


def _root(
    state: SandboxState, req: GraphRequest, token: Token, ctx: CallContext, now: float, cpu: float
) -> Any:
    """``GET /?ids=a,b,c``: several nodes at once; each counts as one call."""
    if req.method == "POST":
        # A batch is handled before dispatch: here it is nested, or has no `batch` field.
        if req.in_batch:
            raise errors.invalid_param("A batch cannot contain another batch")
        raise errors.invalid_param("The parameter batch is required")
    raw = req.params.get("ids", "")
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if req.method != "GET" or not ids:
        raise errors.unsupported_request(req.method, "/")
    nodes: dict[str, Node] = {}
    missing = []
    for node_id in ids:
        try:
            nodes[node_id] = _resolve(state, token, node_id, "GET")
        except errors.GraphError:
            missing.append(node_id)
    if missing:
        raise errors.aliases_missing(missing)
    out: dict[str, Any] = {}
    specs = parse_fields(req.params.get("fields"))
    for node_id, node in nodes.items():
        page = _page_of(state, node)
        if page is not None:
            ctx.touch(page.id)
        state.usage.record(token=token, page=page, now=now, cpu_ms=cpu)
        if isinstance(node, Page):
            out[node_id] = pages.page_render(state, token, node, specs)
        elif isinstance(node, Post):
            auth.require_reader(state, token, state.world.pages_by_id[node.page_id])
            out[node_id] = posts.post_render(state, node, specs, now)
        else:
            sub = GraphRequest(method="GET", path=node_id, params=dict(req.params))
            out[node_id] = _route(state, sub, token, node, [], ctx, now)
    return out

"""Posts and photos: create, read, edit, delete and list, with Graph's unpleasant rules.

- ``scheduled_publish_time`` needs ``published=false`` and must fall 10 minutes to 30 days
  ahead. The sources say 30 days (Posts guide), 75 days (field reference) or 6 months
  (2012): the sandbox takes the strictest, 30 days; the error code is UNCONFIRMED, 100.
- A scheduled post can be edited or deleted only while it is at least 3 minutes from going
  out (UNCONFIRMED today; enforced).
- 506 when a post's message and link equal those of the Page's previous post.
- 368/1390008 when one token creates posts on one Page too fast (see ``Limits``).
- Messages longer than 63,206 characters fail with 100 (UNCONFIRMED; enforced).
- At most 10 attached photos (UNCONFIRMED; enforced); a photo attached to a scheduled post
  must have been uploaded with ``temporary=true``; a photo can be used once.
- Photos: JPEG or PNG, at most 4 MB, else 100/1366046 (UNCONFIRMED, client-observed).
- Feed lag (a fault): a new post is listed only ``lag`` seconds later; reading it by id
  works at once.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import errors
from .auth import require_page_token, require_publisher, require_reader
from .clock import fb_time, parse_time
from .fields import FieldSpec, Getter, paginate, parse_fields, select
from .pages import subselect
from .records import CallContext, GraphRequest, Photo, Post
from .world import Page, Token

if TYPE_CHECKING:
    from .state import SandboxState

MAX_MESSAGE = 63_206
MAX_ATTACHED = 10
MAX_PHOTO_BYTES = 4 * 1024 * 1024
SCHEDULE_MIN_S = 10 * 60
SCHEDULE_MAX_S = 30 * 86_400
EDIT_FREEZE_S = 3 * 60
POST_DEFAULT = ("created_time", "message", "id")
_ATTACHED_KEY = re.compile(r"^attached_media\[(\d+)\]$")
_TRUE = ("true", "1")
_FALSE = ("false", "0")


def parse_bool(params: dict[str, str], name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise errors.invalid_param(f"Param {name} must be a boolean")


def parse_schedule(params: dict[str, str], now: float) -> float | None:
    raw = params.get("scheduled_publish_time")
    if raw is None or raw == "":
        return None
    when = parse_time(raw)
    if when is None or not (now + SCHEDULE_MIN_S <= when <= now + SCHEDULE_MAX_S):
        raise errors.invalid_param("The specified scheduled publish time is invalid.")
    return when


def _check_link(link: str) -> None:
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise errors.invalid_param("link URL is not properly formatted")
    # Hosts that can never resolve stand for links Facebook's scraper cannot fetch.
    if parts.hostname.endswith((".invalid", ".test")):
        raise errors.link_unscrapable()


def _attached_media(params: dict[str, str]) -> list[str]:
    """``attached_media`` as a JSON list, or as ``attached_media[0]``, ``[1]``... fields."""
    items: list[Any] = []
    if params.get("attached_media"):
        try:
            decoded = json.loads(params["attached_media"])
        except ValueError as exc:
            raise errors.invalid_param("param attached_media must be an array") from exc
        items = decoded if isinstance(decoded, list) else [decoded]
    indexed = sorted(
        (int(m.group(1)), value) for key, value in params.items() if (m := _ATTACHED_KEY.match(key))
    )
    for _, value in indexed:
        try:
            items.append(json.loads(value))
        except ValueError as exc:
            raise errors.invalid_param("param attached_media must be an array") from exc
    ids = []
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not str(item.get("media_fbid", "")).isdigit():
            raise errors.invalid_param(f"param attached_media[{position}] must have a media_fbid")
        ids.append(str(item["media_fbid"]))
    return ids


def _check_media(
    state: SandboxState, page: Page, media_ids: list[str], *, scheduled: bool
) -> list[Photo]:
    if len(media_ids) > MAX_ATTACHED:
        raise errors.invalid_param(f"A post can have at most {MAX_ATTACHED} attached photos")
    photos = []
    for position, media_id in enumerate(media_ids):
        photo = state.photos.get(media_id)
        if photo is None or photo.deleted or photo.page_id != page.id or photo.published:
            raise errors.invalid_param(
                f"Invalid parameter: attached_media[{position}] media_fbid {media_id} is not "
                "an unpublished photo of this Page"
            )
        if photo.post_id is not None:
            raise errors.GraphError(
                100, "(#100) These photos were already posted.", subcode=1366051
            )
        if scheduled and not photo.temporary:
            raise errors.invalid_param(
                "Photos attached to a scheduled post must be uploaded with temporary=true"
            )
        photos.append(photo)
    return photos


def _new_post(
    state: SandboxState,
    *,
    page: Page,
    token: Token,
    req: GraphRequest,
    ctx: CallContext,
    now: float,
    message: str,
    link: str,
    published: bool,
    scheduled: float | None,
    media_ids: list[str],
    via: str,
) -> Post:
    status_type = (
        "added_photos" if media_ids else ("shared_story" if link else "mobile_status_update")
    )
    post = Post(
        id=f"{page.id}_{state.new_object_id()}",
        page_id=page.id,
        seq=state.next_seq(),
        message=message,
        link=link,
        created=now,
        updated=now,
        published_time=now if published else None,
        scheduled_at=scheduled,
        lag=state.faults.post_lag(page_id=page.id),
        media_ids=media_ids,
        status_type=status_type,
        via=via,
        token_kind=token.kind,
        in_batch=req.in_batch,
    )
    state.add_post(post)
    state.usage.post_created(token=token.value, page_id=page.id, now=now)
    ctx.created_posts.append(post.id)
    return post


def _read_after_write(
    state: SandboxState, req: GraphRequest, post: Post, now: float, body: dict[str, Any]
) -> dict[str, Any]:
    specs = parse_fields(req.params.get("fields"))
    if specs is not None:
        body.update(post_render(state, post, specs, now))
    return body


def feed_create(
    state: SandboxState,
    *,
    req: GraphRequest,
    token: Token,
    page: Page,
    ctx: CallContext,
    now: float,
) -> dict[str, Any]:
    require_publisher(state, token, page)
    params = req.params
    message = params.get("message", "")
    link = params.get("link", "")
    published = parse_bool(params, "published", True)
    scheduled = parse_schedule(params, now)
    if scheduled is not None and published:
        raise errors.invalid_param(
            "You cannot specify a scheduled publish time on a published post"
        )
    media_ids = _attached_media(params)
    if not message and not link and not media_ids:
        raise errors.invalid_param("Missing message or attachment")
    if len(message) > MAX_MESSAGE:
        raise errors.invalid_param(f"The message is too long (at most {MAX_MESSAGE} characters)")
    if link:
        _check_link(link)
    photos = _check_media(state, page, media_ids, scheduled=scheduled is not None)
    state.usage.post_allowed(token=token.value, page_id=page.id, now=now)
    previous = state.last_post(page.id)
    if (message or link) and previous and (previous.message, previous.link) == (message, link):
        raise errors.duplicate_post()
    post = _new_post(
        state,
        page=page,
        token=token,
        req=req,
        ctx=ctx,
        now=now,
        message=message,
        link=link,
        published=published,
        scheduled=scheduled,
        media_ids=media_ids,
        via="feed",
    )
    for photo in photos:
        photo.post_id = post.id
    return _read_after_write(state, req, post, now, {"id": post.id})


def _check_image(data: bytes) -> None:
    is_image = data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")
    if not is_image or len(data) > MAX_PHOTO_BYTES:
        raise errors.GraphError(
            100,
            "(#100) The photo is not a JPG or PNG image under 4 MB.",
            subcode=1366046,
            user_title="Invalid image",
            user_msg="Upload a JPG or PNG image under 4 MB.",
        )


def photo_create(
    state: SandboxState,
    *,
    req: GraphRequest,
    token: Token,
    page: Page,
    ctx: CallContext,
    now: float,
) -> dict[str, Any]:
    require_publisher(state, token, page)
    params = req.params
    source = req.files.get("source")
    url = params.get("url", "")
    if source is not None:
        _check_image(source.data)
    elif url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise errors.invalid_param("url should represent a valid URL")
    else:
        raise errors.GraphError(324, "(#324) Requires upload file")
    caption = params.get("caption") or params.get("message", "")
    if len(caption) > MAX_MESSAGE:
        raise errors.invalid_param(f"The message is too long (at most {MAX_MESSAGE} characters)")
    published = parse_bool(params, "published", True)
    scheduled = parse_schedule(params, now)
    if scheduled is not None and published:
        raise errors.invalid_param(
            "You cannot specify a scheduled publish time on a published post"
        )
    photo_id = state.new_object_id()
    photo = Photo(
        id=photo_id,
        page_id=page.id,
        created=now,
        caption=caption,
        image_url=f"https://scontent.xx.fbcdn.net/v/t39.30808-6/{photo_id}_n.jpg",
        published=published or scheduled is not None,
        temporary=parse_bool(params, "temporary", False),
        alt_text=params.get("alt_text_custom", ""),
    )
    if not photo.published:
        state.photos[photo.id] = photo
        return {"id": photo.id}
    state.usage.post_allowed(token=token.value, page_id=page.id, now=now)
    state.photos[photo.id] = photo
    post = _new_post(
        state,
        page=page,
        token=token,
        req=req,
        ctx=ctx,
        now=now,
        message=caption,
        link="",
        published=published,
        scheduled=scheduled,
        media_ids=[photo.id],
        via="photos",
    )
    photo.post_id = post.id
    return {"id": photo.id, "post_id": post.id}


# --- Reading -----------------------------------------------------------------------------


def post_getters(state: SandboxState, post: Post, now: float) -> dict[str, Getter]:
    page = state.page(post.page_id)
    page_name = page.name if page else ""
    photos = [state.photos[m] for m in post.media_ids if m in state.photos]
    live = post.published_at(now)

    def author(spec: FieldSpec) -> dict[str, Any]:
        return subselect({"name": page_name, "id": post.page_id}, spec, "Page")

    def attachments(spec: FieldSpec) -> dict[str, Any] | None:
        items: list[dict[str, Any]] = []
        for photo in photos:
            items.append(
                {
                    "media": {"image": {"height": 720, "src": photo.image_url, "width": 960}},
                    "target": {
                        "id": photo.id,
                        "url": f"https://www.facebook.com/photo.php?fbid={photo.id}",
                    },
                    "type": "photo",
                    "url": f"https://www.facebook.com/photo.php?fbid={photo.id}",
                }
            )
        if post.link:
            items.append(
                {"type": "share", "title": post.link, "url": post.link, "unshimmed_url": post.link}
            )
        if not items:
            return None
        return {"data": [subselect(item, spec, "StoryAttachment") for item in items]}

    return {
        "id": lambda _: post.id,
        "created_time": lambda _: fb_time(live if live is not None else post.created),
        "updated_time": lambda _: fb_time(post.updated),
        "message": lambda _: post.message or None,
        "story": lambda _: None,
        "permalink_url": lambda _: (
            f"https://www.facebook.com/{post.page_id}/posts/{post.id.split('_', 1)[1]}"
        ),
        "full_picture": lambda _: photos[0].image_url if photos else None,
        "status_type": lambda _: post.status_type,
        "is_published": lambda _: post.status(now) == "published",
        "is_hidden": lambda _: post.is_hidden,
        "is_expired": lambda _: False,
        "scheduled_publish_time": lambda _: int(post.scheduled_at) if post.scheduled_at else None,
        "from": author,
        "attachments": attachments,
        "shares": lambda _: None,
    }


def post_render(
    state: SandboxState, post: Post, specs: list[FieldSpec] | None, now: float
) -> dict[str, Any]:
    return select(post_getters(state, post, now), specs, default=POST_DEFAULT, node_type="Post")


def post_get(
    state: SandboxState, *, req: GraphRequest, token: Token, post: Post, page: Page, now: float
) -> dict[str, Any]:
    require_reader(state, token, page)
    return post_render(state, post, parse_fields(req.params.get("fields")), now)


def photo_get(
    state: SandboxState, *, req: GraphRequest, token: Token, photo: Photo, page: Page
) -> dict[str, Any]:
    require_reader(state, token, page)
    link = f"https://www.facebook.com/photo.php?fbid={photo.id}"
    image = {"height": 720, "source": photo.image_url, "width": 960}
    getters: dict[str, Getter] = {
        "id": lambda _: photo.id,
        "created_time": lambda _: fb_time(photo.created),
        "name": lambda _: photo.caption or None,
        "link": lambda _: link,
        "images": lambda _: [image],
        "picture": lambda _: photo.image_url,
        "alt_text_custom": lambda _: photo.alt_text or None,
        "page_story_id": lambda _: photo.post_id,
        "from": lambda spec: subselect({"name": page.name, "id": page.id}, spec, "Page"),
    }
    specs = parse_fields(req.params.get("fields"))
    return select(getters, specs, default=("created_time", "name", "id"), node_type="Photo")


LISTING_EDGES = ("feed", "posts", "published_posts", "scheduled_posts")


def posts_list(
    state: SandboxState,
    *,
    req: GraphRequest,
    token: Token,
    page: Page,
    edge: str,
    ctx: CallContext,
    now: float,
) -> dict[str, Any]:
    params = req.params
    if edge == "scheduled_posts":
        require_page_token(token, page)
    require_reader(state, token, page)
    include_hidden = edge == "published_posts" and parse_bool(params, "include_hidden", False)
    since = parse_time(params["since"]) if params.get("since") else None
    until = parse_time(params["until"]) if params.get("until") else None
    chosen: list[tuple[float, Post]] = []
    for post in state.page_posts.get(page.id, []):
        status = post.status(now)
        if edge == "scheduled_posts":
            if status == "scheduled" and now >= post.created + post.lag:
                chosen.append((post.scheduled_at or post.created, post))
            continue
        live = post.published_at(now)
        if status != "published" or live is None or (post.is_hidden and not include_hidden):
            continue
        if now < live + post.lag:
            continue  # feed lag
        if (since is not None and live < since) or (until is not None and live > until):
            continue
        chosen.append((live, post))
    chosen.sort(key=lambda item: (-item[0], -item[1].seq))
    page_items, paging = paginate(
        chosen,
        key=lambda item: [-item[0], -item[1].seq],
        params=params,
        base_url=ctx.base_url,
        path=req.path,
    )
    specs = parse_fields(params.get("fields"))
    data = [post_render(state, post, specs, now) for _, post in page_items]
    return {"data": data, "paging": paging} if paging else {"data": data}


# --- Editing and deleting -------------------------------------------------------------------


def _check_not_frozen(post: Post, now: float) -> None:
    scheduled = post.scheduled_at
    if (
        post.status(now) == "scheduled"
        and scheduled is not None
        and scheduled - now < EDIT_FREEZE_S
    ):
        raise errors.invalid_param(
            "A scheduled post cannot be edited or deleted less than 3 minutes before it "
            "is published"
        )


def post_update(
    state: SandboxState, *, req: GraphRequest, token: Token, post: Post, page: Page, now: float
) -> dict[str, Any]:
    require_publisher(state, token, page)
    _check_not_frozen(post, now)
    params = req.params
    changed = False
    status = post.status(now)
    if "message" in params:
        if len(params["message"]) > MAX_MESSAGE:
            raise errors.invalid_param(
                f"The message is too long (at most {MAX_MESSAGE} characters)"
            )
        post.message = params["message"]
        changed = True
    if params.get("scheduled_publish_time"):
        if status == "published":
            raise errors.invalid_param("A published post cannot be rescheduled")
        post.scheduled_at = parse_schedule(params, now)
        changed = True
    if "is_published" in params:
        if parse_bool(params, "is_published", True):
            if status != "published":
                post.published_time = now
                post.scheduled_at = None
        elif status == "published":
            raise errors.invalid_param("A published post cannot be unpublished")
        changed = True
    for flag in ("is_hidden", "is_pinned"):
        if flag in params:
            setattr(post, flag, parse_bool(params, flag, False))
            changed = True
    if not changed:
        raise errors.invalid_param(
            "Requires one of the params: message, is_published, scheduled_publish_time, "
            "is_hidden, is_pinned"
        )
    post.updated = now
    return {"success": True}


def post_delete(
    state: SandboxState, *, token: Token, post: Post, page: Page, now: float
) -> dict[str, Any]:
    require_publisher(state, token, page)
    _check_not_frozen(post, now)
    post.deleted_at = now
    for media_id in post.media_ids:
        photo = state.photos.get(media_id)
        if photo is not None and photo.published:
            photo.deleted = True
    return {"success": True}


def photo_delete(state: SandboxState, *, token: Token, photo: Photo, page: Page) -> dict[str, Any]:
    require_publisher(state, token, page)
    photo.deleted = True
    return {"success": True}

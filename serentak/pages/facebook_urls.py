"""Facebook addresses as people paste them, reduced to one canonical URL and what they prove.

``normalize_facebook_url`` is a pure function (no database, no network): it takes whatever
was in a spreadsheet cell and says which Facebook account it points to, in one canonical
form, and which kind of account the address itself *proves* it is. It never guesses.

Canonical forms:

* a username: ``https://www.facebook.com/{username in lower case}``;
* a numeric id (a Page or a person): ``https://www.facebook.com/profile.php?id={id}``;
* a group: ``https://www.facebook.com/groups/{id, or name in lower case}``;
* a share link: the link itself, cleaned (see below).

What the address proves (the kind):

* ``page`` only for shapes that exist for Pages alone: ``/pages/Name/ID``,
  ``/pages/category/.../Name-ID``, ``/pg/name``, the classic ``/Name-With-Hyphens-ID`` of a
  Page without a username, and the app's ``fb://page/ID``;
* ``group`` for ``/groups/...`` (a post in a group reduces to the group);
* ``unknown-needs-lookup`` for a username, ``profile.php?id=``, ``/people/Name/ID``,
  ``/p/Name-ID``: a Page on the new Pages experience has these addresses too, so only the
  Graph API or a person can tell a Page from a personal profile. Never ``profile``: a
  personal profile is confirmed by a person, not by its address;
* ``not-facebook`` for anything that is not a Facebook address (another site, an email, a
  bare word, an ``@handle``, Facebook's redirect to another site). It carries an error too.

Decisions on ambiguous shapes (each has a test):

* A post, photo, video tab or any trailing path reduces to the account before it
  (``/kpubombana/posts/123`` → ``kpubombana``); ``permalink.php`` and ``story.php`` reduce
  to their ``id=``; a photo reduces to its owner when the old ``set=a.ALBUM.X.OWNER`` or
  ``set=pb.OWNER...`` shows it. Content whose owner the address does not show (``watch?v=``,
  ``fb.watch``, ``/reel/``, ``/photo/?fbid=..&set=a.ALBUM``, ``/events/``) is an error that
  asks for the address of the Page, profile or group instead: a video id is not a presence.
* A share link (``/share/CODE``, ``/share/p/CODE``, ``fb.me/e/CODE``...) is what the mobile
  app's "Copy link" gives, so it is accepted as ``unknown-needs-lookup`` with the link as
  its canonical form (the code keeps its case: it is case-sensitive). Who owns it can only
  be found by opening it; two share links to one account are not recognised as one.
* Facebook ignores case and dots in usernames ("Periods and capitalisation don't count as
  part of a username": ``kpu.bombana`` is ``KPUBombana``). The canonical URL keeps the dots
  as written, in lower case; ``NormalizedUrl.key`` and ``username_key`` drop them, and
  duplicate detection compares keys. Group names keep their dots in the key.
* A username has only letters, digits and dots (after Unicode NFKC folding, so full-width
  letters count; percent-encoding is decoded first). Anything else is an error, never a
  guess.
* Redirect wrappers are opened once: ``l.facebook.com/l.php?u=`` (to another site it is
  ``not-facebook``), ``/login/?next=``, ``/sharer.php?u=``, ``/plugins/page.php?href=``.
* Facebook's own pages (``/login``, ``/home.php``, ``/search``, ``/watch``, ``/marketplace``,
  ``/gaming``, ``/help``, ``/policies``, ``/settings``, ``/me``...) are "not a Facebook
  account address": an error, kind ``None``.
* ``m.me/name`` (Messenger) is the same username; ``fb.me/name`` the old short link.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.utils.translation import gettext as _

# The kinds, spelled as ``PresenceKind`` values (kept here so this module needs no models).
PAGE = "page"
PROFILE = "profile"
GROUP = "group"
UNKNOWN = "unknown-needs-lookup"
NOT_FACEBOOK = "not-facebook"

BASE = "https://www.facebook.com"
MAX_LENGTH = 1000  # Presence.url

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_QUOTES = "\"'`<>\u201c\u201d\u2018\u2019\u00ab\u00bb"
# What people write in the URL column when a unit has no Facebook address.
_NOTHING = {"-", "\u2013", "\u2014", "n/a", "na", "none", "nil", "tidak ada", "belum ada", "tidak"}

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@/\s:]+@[^@/\s]+\.[a-z]{2,}$", re.IGNORECASE)
_USERNAME = re.compile(r"^[a-z0-9.]{1,50}$")
_GROUP_NAME = re.compile(r"^[a-z0-9._-]{1,100}$")
_SHARE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DIGITS = re.compile(r"^\d{1,25}$")
# "KPU-Kabupaten-Bombana-123456789012345": a Page's name and id, when it has no username.
_SLUG_ID = re.compile(r"^.*\S-(\d{5,25})$")
_LOCALE_HOST = re.compile(r"^[a-z]{2}-[a-z]{2}$")  # id-id.facebook.com, en-gb.facebook.com
_APP_LINK = re.compile(r"^fb://(page|profile|group)s?/(?:\?id=)?(\d{1,25})/?$", re.IGNORECASE)

_FACEBOOK_SUBDOMAINS = {
    "",
    "www",
    "m",
    "mobile",
    "web",
    "mbasic",
    "touch",
    "business",
    "free",
    "0",
    "d",
    "x",
    "iphone",
    "upload",
}
_LINK_SHIM_SUBDOMAINS = {"l", "lm"}

# First path segments that are Facebook's own pages, never an account.
_RESERVED = {
    "about",
    "ads",
    "adsmanager",
    "ajax",
    "bookmarks",
    "business",
    "campaign",
    "careers",
    "checkpoint",
    "composer",
    "dialog",
    "directory",
    "find-friends",
    "friends",
    "fundraisers",
    "gaming",
    "games",
    "hashtag",
    "help",
    "home",
    "home.php",
    "index.php",
    "latest",
    "legal",
    "live",
    "login",
    "login.php",
    "logout",
    "logout.php",
    "marketplace",
    "me",
    "memories",
    "messages",
    "mobile",
    "notes",
    "notifications",
    "notifications.php",
    "offers",
    "onthisday",
    "payments",
    "places",
    "policies",
    "policy.php",
    "privacy",
    "public",
    "r.php",
    "recover",
    "reg",
    "saved",
    "search",
    "settings",
    "settings.php",
    "terms",
    "terms.php",
    "watch",
    "weather",
}
# First segments of content whose owner the address does not show.
_CONTENT = {
    "events": "event",
    "reel": "video",
    "reels": "video",
    "video.php": "video",
    "videos": "video",
    "stories": "story",
    "photo": "photo",
    "photo.php": "photo",
    "media": "photo",
    "permalink.php": "post",
    "story.php": "post",
}
_GROUP_RESERVED = {"feed", "discover", "joins", "create", "notifications", "your_groups", "search"}
_WATCH_TABS = {"live", "latest", "saved", "search", "shows", "videos", "topic"}


@dataclass(frozen=True)
class NormalizedUrl:
    """What an address points to. ``error`` is set when it is not a usable account address.

    For a group, ``username`` holds the group's name or ``numeric_id`` its number. ``reason``
    says in a few words why the kind is what it is (for the preview table).
    """

    canonical_url: str = ""
    kind: str | None = None
    username: str | None = None
    numeric_id: str | None = None
    error: str | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def key(self) -> str | None:
        """The account's identity for duplicate detection (dots and case in usernames ignored)."""
        if self.error is not None:
            return None
        if self.kind == GROUP:
            return f"group:{self.numeric_id or self.username}"
        if self.numeric_id:
            return f"id:{self.numeric_id}"
        if self.username:
            return f"user:{username_key(self.username)}"
        return f"link:{self.canonical_url}" if self.canonical_url else None


def username_key(username: str) -> str:
    """``Kpu.Bombana`` → ``kpubombana``: how Facebook compares usernames."""
    return username.lower().replace(".", "")


def normalize_facebook_url(text: str) -> NormalizedUrl:
    """The canonical URL and the proven kind of a pasted Facebook address (see the module)."""
    return _normalize(text, unwrapped=False)


# --- Results ----------------------------------------------------------------------------------


def _error(message: str) -> NormalizedUrl:
    return NormalizedUrl(error=message)


def _not_an_account() -> NormalizedUrl:
    return _error(
        _("not a Facebook account address: give the address of the Page, profile or group")
    )


def _content_without_owner(what: str) -> NormalizedUrl:
    words = {
        "event": _("an event"),
        "video": _("a video"),
        "story": _("a story"),
        "photo": _("a photo"),
        "post": _("a post"),
    }
    return _error(
        _(
            "this is a link to %(what)s that does not show whose it is: give the address of "
            "the Page, profile or group instead"
        )
        % {"what": words[what]}
    )


def _not_facebook(message: str) -> NormalizedUrl:
    return NormalizedUrl(kind=NOT_FACEBOOK, error=message)


def _by_username(name: str, *, kind: str = UNKNOWN) -> NormalizedUrl:
    return NormalizedUrl(
        canonical_url=f"{BASE}/{name}",
        kind=kind,
        username=name,
        reason=_("only Pages have this kind of address")
        if kind == PAGE
        else _("a username can be a Page or a person: a lookup settles it"),
    )


def _by_id(number: str, *, kind: str = UNKNOWN) -> NormalizedUrl:
    return NormalizedUrl(
        canonical_url=f"{BASE}/profile.php?id={number}",
        kind=kind,
        numeric_id=number,
        reason=_("only Pages have this kind of address")
        if kind == PAGE
        else _("a number can be a Page or a person: a lookup settles it"),
    )


def _group(ident: str) -> NormalizedUrl:
    is_number = bool(_DIGITS.match(ident))
    return NormalizedUrl(
        canonical_url=f"{BASE}/groups/{ident}",
        kind=GROUP,
        username=None if is_number else ident,
        numeric_id=ident if is_number else None,
        reason=_("a group's address"),
    )


def _share(url: str) -> NormalizedUrl:
    return NormalizedUrl(
        canonical_url=url,
        kind=UNKNOWN,
        reason=_("a share link does not show whose it is: open it to find out"),
    )


# --- Parsing ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate({ord(c): None for c in _INVISIBLE})
    previous = None
    while text != previous:  # "<https://facebook.com/x>." loses its brackets and its dot
        previous = text
        text = text.strip().strip(_QUOTES).rstrip(".,;")
    return text


def _normalize(text: str, *, unwrapped: bool) -> NormalizedUrl:
    raw = _clean(text)
    if not raw or raw.lower() in _NOTHING:
        return _error(_("the address is empty"))
    if len(raw) > MAX_LENGTH:
        return _error(_("the address is longer than %(max)d characters") % {"max": MAX_LENGTH})
    app = _APP_LINK.match(raw)
    if app:
        what, number = app.group(1).lower(), app.group(2)
        if what == "group":
            return _group(number)
        return _by_id(number, kind=PAGE if what == "page" else UNKNOWN)
    if raw.startswith("@"):
        return _not_facebook(
            _('"%(text)s" is a handle, not an address: give the whole Facebook address')
            % {"text": raw}
        )
    if _EMAIL.match(raw):
        return _not_facebook(
            _('"%(text)s" is an email address, not a Facebook address') % {"text": raw}
        )

    url = raw if _SCHEME.match(raw) else "https://" + raw.lstrip("/")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return _not_facebook(_('"%(text)s" is not a web address') % {"text": raw})
    if parts.scheme.lower() not in ("http", "https") or "." not in host or " " in host:
        return _not_facebook(_('"%(text)s" is not a web address') % {"text": raw})

    path, query = parts.path, parts.query
    if parts.fragment.startswith("!/"):  # the old "facebook.com/#!/kpubombana"
        path, _sep, query = parts.fragment[1:].partition("?")
    segments = [
        s for s in (unicodedata.normalize("NFKC", unquote(p)).strip() for p in path.split("/")) if s
    ]
    params = {k.lower(): v[0].strip() for k, v in parse_qs(query, keep_blank_values=True).items()}

    if host == "fb.me":
        return _short_link(segments)
    if host == "m.me":  # Messenger: the same username (or id) as the account
        if len(segments) == 1:
            return _account(segments[0])
        return _not_an_account()
    if host == "fb.watch":
        return _content_without_owner("video")
    sub = _facebook_subdomain(host)
    if sub is None:
        return _not_facebook(_("not a Facebook address (%(host)s)") % {"host": host})
    if sub in _LINK_SHIM_SUBDOMAINS:
        return _unwrap(params.get("u", ""), unwrapped=unwrapped)
    if sub not in _FACEBOOK_SUBDOMAINS and not _LOCALE_HOST.match(sub):
        return _not_an_account()
    if sub == "business" and _DIGITS.match(params.get("asset_id", "")):
        return _by_id(params["asset_id"])  # Business Suite names the Page it manages so
    if not segments:
        return _error(
            _(
                "this is the address of Facebook itself: give the address of the Page, "
                "profile or group"
            )
        )
    return _path(segments, params, unwrapped=unwrapped)


def _facebook_subdomain(host: str) -> str | None:
    for domain in ("facebook.com", "fb.com"):
        if host == domain:
            return ""
        if host.endswith("." + domain):
            return host[: -len(domain) - 1]
    return None


def _short_link(segments: list[str]) -> NormalizedUrl:
    if len(segments) == 1:
        return _account(segments[0])
    if len(segments) == 2 and len(segments[0]) == 1 and _SHARE_CODE.match(segments[1]):
        return _share(f"https://fb.me/{segments[0].lower()}/{segments[1]}")
    return _not_an_account()


def _unwrap(target: str, *, unwrapped: bool) -> NormalizedUrl:
    """A Facebook address that only carries another one (``u=``, ``next=``, ``href=``)."""
    if not target or unwrapped:
        return _not_an_account()
    inner = _normalize(target, unwrapped=True)
    if inner.kind == NOT_FACEBOOK:
        host = urlsplit(target if _SCHEME.match(target) else f"https://{target}").hostname
        return _not_facebook(
            _("a Facebook link to another site (%(host)s), not a Facebook address")
            % {"host": host or target}
        )
    return inner


def _path(segments: list[str], params: dict[str, str], *, unwrapped: bool) -> NormalizedUrl:
    first = segments[0].lower()
    rest = segments[1:]

    if first == "profile.php":
        number = params.get("id", "")
        if _DIGITS.match(number):
            return _by_id(number)
        return _error(_("profile.php without the account's number (id=)"))
    if first in ("people", "p"):
        # /people/Name/100064.../ and the newer /p/Name-100064.../
        for segment in reversed(rest):
            found = _trailing_id(segment)
            if found:
                return _by_id(found)
        return _error(_("a /%(path)s/ address without the account's number") % {"path": first})
    if first == "pages":
        return _pages(rest)
    if first == "pg":
        if rest:
            page_id = _trailing_id(rest[0])
            if page_id:
                return _by_id(page_id, kind=PAGE)
            name = rest[0].lower()
            if _USERNAME.match(name) and not name.isdigit():
                return _by_username(name, kind=PAGE)
        return _not_an_account()
    if first == "groups":
        return _groups(rest)
    if first == "share":
        if len(rest) == 1 and _SHARE_CODE.match(rest[0]):
            return _share(f"{BASE}/share/{rest[0]}")
        if len(rest) == 2 and len(rest[0]) == 1 and _SHARE_CODE.match(rest[1]):
            return _share(f"{BASE}/share/{rest[0].lower()}/{rest[1]}")
        return _not_an_account()
    if first in ("l.php", "sharer", "sharer.php"):
        return _unwrap(params.get("u", ""), unwrapped=unwrapped)
    if first in ("login", "login.php") and params.get("next"):
        return _unwrap(params["next"], unwrapped=unwrapped)
    if first == "plugins":
        return _unwrap(params.get("href", ""), unwrapped=unwrapped)
    if first == "dialog" and params.get("href"):
        return _unwrap(params["href"], unwrapped=unwrapped)
    if first == "watch":
        if "v" not in params and rest and rest[0].lower() not in _WATCH_TABS:
            return _account(rest[0])  # a Page's video tab: /watch/kpubombana/
        return _content_without_owner("video") if "v" in params else _not_an_account()
    if first in _CONTENT:
        owner = _content_owner(params)
        return _by_id(owner) if owner else _content_without_owner(_CONTENT[first])
    if first in _RESERVED or first.endswith(".php"):
        return _not_an_account()
    return _account(segments[0])


def _account(segment: str) -> NormalizedUrl:
    """The first path segment of an account's address: a number, a Page's slug-id, a username."""
    if _DIGITS.match(segment):
        return _by_id(segment)
    number = _trailing_id(segment)
    if number and "-" in segment:
        return _by_id(number, kind=PAGE)  # the classic address of a Page without a username
    name = segment.lower()
    if name in _RESERVED:
        return _not_an_account()
    if _USERNAME.match(name) and name.strip("."):
        return _by_username(name)
    return _error(
        _('"%(name)s" is not a Facebook username (only letters, digits and dots)')
        % {"name": segment}
    )


def _trailing_id(segment: str) -> str | None:
    if _DIGITS.match(segment):
        return segment
    match = _SLUG_ID.match(segment)
    return match.group(1) if match else None


def _pages(rest: list[str]) -> NormalizedUrl:
    """``/pages/Name/ID``, ``/pages/category/Kind/Name-ID``: addresses only Pages have."""
    candidates = rest[2:] if rest and rest[0].lower() == "category" else rest[1:2] or rest[:1]
    for segment in candidates:
        number = _trailing_id(segment)
        if number:
            return _by_id(number, kind=PAGE)
    return _error(_("a /pages/ address without the Page's number"))


def _groups(rest: list[str]) -> NormalizedUrl:
    if not rest or rest[0].lower() in _GROUP_RESERVED:
        return _not_an_account()
    ident = rest[0].lower()
    if _DIGITS.match(ident) or _GROUP_NAME.match(ident):
        return _group(ident)
    return _error(_('"%(name)s" is not a Facebook group address') % {"name": rest[0]})


def _content_owner(params: dict[str, str]) -> str | None:
    """The owner's id a post or photo address shows: ``id=``, or an old photo ``set=``."""
    if _DIGITS.match(params.get("id", "")):
        return params["id"]
    parts = params.get("set", "").split(".")
    if parts[0] == "a" and len(parts) >= 4 and _DIGITS.match(parts[3]):
        return parts[3]  # set=a.ALBUM.X.OWNER
    if parts[0] == "pb" and len(parts) >= 2 and _DIGITS.match(parts[1]):
        return parts[1]  # set=pb.OWNER.-2207520000 (profile pictures)
    return None

"""The audit's checks, as data, and the pure function that applies them to one unit.

Each ``Check`` has a code (stored on ``Finding.code``), a severity, a title (its line in a
unit's checklist), a message saying what is wrong, and a fix-it text telling the unit's
humas officer where to click in Facebook. Texts are English msgids, shown in Indonesian
through the catalogue; ``%(name)s`` placeholders are filled from the finding's ``params``.

``unit_evaluate`` takes a snapshot of a unit and its presences (plain dataclasses, built by
``services.audit`` from the database after a fetch) and returns what it found and which
checks it could decide: a check it could not decide (the Page was never read, its tasks are
unknown) leaves an open finding open rather than resolving it. No database, no network.

Score (``unit_score``): 100 minus the weights of the unit's open findings, floored at 0.
A blocker weighs 25, a warning 10, an info 3, except ``no_official_page``, which weighs 100:
a unit without an official Page scores 0, never better than a unit with a Page that has a
few warnings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BLOCKER, WARNING, INFO = "blocker", "warning", "info"  # the values of models.Severity
SEVERITY_WEIGHTS = {BLOCKER: 25, WARNING: 10, INFO: 3}
TOKEN_EXPIRY_WARNING = dt.timedelta(days=14)
QUIET_PAGE_AFTER = dt.timedelta(days=30)
CREATE_CONTENT, ANALYZE = "CREATE_CONTENT", "ANALYZE"

# Any site under go.id (the Indonesian government's domain), over http or https.
OFFICIAL_WEBSITE = re.compile(
    r"^https?://([a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+go\.id(:\d+)?(?:[/?#]\S*)?$", re.IGNORECASE
)

# --- The checks ---------------------------------------------------------------------------

NO_OFFICIAL_PAGE = "no_official_page"
PERSONAL_PROFILE = "personal_profile"
PAGE_NOT_CONNECTED = "page_not_connected"
PAGE_UNREACHABLE = "page_unreachable"
TOKEN_INVALID = "token_invalid"  # noqa: S105 - a check code, not a secret
TOKEN_EXPIRING = "token_expiring"  # noqa: S105 - a check code, not a secret
TOKEN_NO_CREATE_CONTENT = "token_no_create_content"  # noqa: S105 - a check code, not a secret
TOKEN_NO_ANALYZE = "token_no_analyze"  # noqa: S105 - a check code, not a secret
PAGE_NOT_ASSIGNED = "page_not_assigned"
PAGE_UNPUBLISHED = "page_unpublished"
NAME_MISMATCH = "name_mismatch"
WEBSITE_MISSING = "website_missing"
WEBSITE_NOT_OFFICIAL = "website_not_official"
ABOUT_MISSING = "about_missing"
PICTURE_MISSING = "picture_missing"
COVER_MISSING = "cover_missing"
CLASSIC_PAGE = "classic_page"
NO_RECENT_POST = "no_recent_post"


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    title: StrOrPromise  # the checklist line, phrased as what a good Page has
    message: StrOrPromise  # what is wrong
    fix: StrOrPromise  # what to do about it, step by step
    # While one of these is open, this check is "not checked" in the checklist.
    depends_on: tuple[str, ...] = ()
    weight_override: int | None = None

    @property
    def weight(self) -> int:
        if self.weight_override is not None:
            return self.weight_override
        return SEVERITY_WEIGHTS[self.severity]

    def message_for(self, params: Mapping[str, Any]) -> str:
        return fill(self.message, params)

    def fix_for(self, params: Mapping[str, Any]) -> str:
        return fill(self.fix, params)


class _Params(dict[str, Any]):
    """Missing or empty values show as a dash rather than failing the whole message."""

    def __missing__(self, key: str) -> str:
        return "—"


def fill(text: StrOrPromise, params: Mapping[str, Any]) -> str:
    values = _Params({k: v for k, v in params.items() if v not in (None, "")})
    return str(text) % values


_PAGE = (NO_OFFICIAL_PAGE,)
_CONNECTED = (NO_OFFICIAL_PAGE, PAGE_NOT_CONNECTED)
_TOKEN = (NO_OFFICIAL_PAGE, PAGE_NOT_CONNECTED, TOKEN_INVALID)

CHECKS: tuple[Check, ...] = (
    Check(
        NO_OFFICIAL_PAGE,
        BLOCKER,
        _("An official Facebook Page"),
        _("No official Facebook Page is registered for this unit."),
        _(
            "If the unit already has a Page, ask your province or central admin to connect "
            "it in Serentak. If not, create one at facebook.com/pages/create with the name "
            '"%(expected)s" and the category "Government organization", then ask for it to '
            "be connected."
        ),
        weight_override=100,
    ),
    Check(
        PERSONAL_PROFILE,
        BLOCKER,
        _("No personal profile used as the institution"),
        _("A personal profile is used as the unit's account: %(url)s"),
        _(
            "Facebook suspends personal profiles that act as an institution. Create an "
            "official Page for the unit (facebook.com/pages/create), announce the new Page "
            "on the profile, give the Page's admin roles to the PR staff, then retire the "
            "profile. Serentak's migration checklist walks you through it."
        ),
    ),
    Check(
        PAGE_NOT_CONNECTED,
        BLOCKER,
        _("Page connected to Serentak"),
        _(
            "The official Page is known only by its address: Serentak can neither post to it "
            "nor check it."
        ),
        _(
            "Open Business settings (business.facebook.com/settings) → Accounts → Pages, add "
            "the Page to the institution's business portfolio and assign the Serentak system "
            "user to it with full control; then ask the central admin to connect the Pages "
            "again."
        ),
        depends_on=_PAGE,
    ),
    Check(
        PAGE_UNREACHABLE,
        WARNING,
        _("Page readable through the Graph API"),
        _("Facebook did not answer for this Page during the last audit (%(error)s)."),
        _(
            "This is usually temporary and the next audit checks again. If it stays, check "
            "in Business settings (business.facebook.com/settings) → Accounts → Pages that "
            "the Page still exists and is not restricted."
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        TOKEN_INVALID,
        BLOCKER,
        _("Page token valid"),
        _("The Page token no longer works: Serentak cannot post to this Page."),
        _(
            "The Page has to be reconnected. A business admin opens Business settings "
            "(business.facebook.com/settings) → Users → System users, selects the Serentak "
            "system user, chooses Assign assets and gives it full control of the Page again; "
            "then the central admin reconnects the Page in Serentak."
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        TOKEN_EXPIRING,
        WARNING,
        _("Page token valid for at least 14 more days"),
        _("The Page token expires in %(days)s days (on %(date)s)."),
        _(
            "Reconnect the Page before that date: ask the central admin to connect it again "
            "through the Serentak system user, whose Page tokens do not expire."
        ),
        depends_on=_TOKEN,
    ),
    Check(
        TOKEN_NO_CREATE_CONTENT,
        BLOCKER,
        _("Permission to create content (CREATE_CONTENT)"),
        _(
            "The connected account lacks the CREATE_CONTENT task on this Page: Serentak "
            "cannot publish to it."
        ),
        _(
            "A Page admin opens Business settings (business.facebook.com/settings) → "
            "Accounts → Pages, selects this Page, chooses Assign people, picks the Serentak "
            "system user and switches "
            'on "Content" (or gives it full control).'
        ),
        depends_on=_TOKEN,
    ),
    Check(
        TOKEN_NO_ANALYZE,
        WARNING,
        _("Permission to read insights (ANALYZE)"),
        _(
            "The connected account lacks the ANALYZE task on this Page: Serentak cannot "
            "read its insights."
        ),
        _(
            "A Page admin opens Business settings (business.facebook.com/settings) → "
            "Accounts → Pages, selects this Page, chooses Assign people, picks the Serentak "
            "system user and switches "
            'on "Insights" (or gives it full control).'
        ),
        depends_on=_TOKEN,
    ),
    Check(
        PAGE_NOT_ASSIGNED,
        WARNING,
        _("Serentak system user assigned to the Page"),
        _(
            "The Page is reached only through the business portfolio: the Serentak system "
            "user is not assigned to it, so its permissions cannot be confirmed."
        ),
        _(
            "Open Business settings (business.facebook.com/settings) → Accounts → Pages, "
            "select this Page, choose Assign people and give the Serentak system user full "
            "control."
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        PAGE_UNPUBLISHED,
        BLOCKER,
        _("Page published"),
        _("The Page is unpublished: the public cannot see it."),
        _(
            "Switch to the Page, open Settings & privacy → Settings and find Page visibility "
            "(the search box at the top of the settings finds it; on a classic Page it is "
            'under Settings → General), then choose "Page published".'
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        NAME_MISMATCH,
        WARNING,
        _("Name follows the naming convention"),
        _('The Page is named "%(actual)s"; the official name is "%(expected)s".'),
        _(
            "Switch to the Page, open Settings & privacy → Settings → Page setup → Name and "
            'request exactly "%(expected)s" (no abbreviations such as "Kab.", no extra '
            "words). Meta reviews name changes; it can take a few days."
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        WEBSITE_MISSING,
        WARNING,
        _("Official .go.id website"),
        _("The Page lists no website."),
        _(
            "Switch to the Page, open Edit details (About → Contact info) and add the unit's "
            "official website: its full address, starting with https:// and ending in .go.id."
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        WEBSITE_NOT_OFFICIAL,
        WARNING,
        _("Website is an official .go.id address"),
        _("The Page's website %(website)s is not an official .go.id address."),
        _(
            "Switch to the Page, open Edit details (About → Contact info) and replace the "
            "website with the unit's official address ending in .go.id; remove links to "
            "private blogs or social media accounts."
        ),
        depends_on=(*_CONNECTED, WEBSITE_MISSING),
    ),
    Check(
        ABOUT_MISSING,
        INFO,
        _("About text"),
        _("The Page has no about text (intro)."),
        _(
            "Switch to the Page, click Edit next to Intro and write one sentence on what the "
            "unit is, for example: the official account of %(expected)s."
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        PICTURE_MISSING,
        WARNING,
        _("Profile picture"),
        _("The Page has no profile picture."),
        _(
            "Switch to the Page, click the profile picture, choose Upload photo and use the "
            "institution's logo (at least 320 x 320 pixels)."
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        COVER_MISSING,
        INFO,
        _("Cover photo"),
        _("The Page has no cover photo."),
        _(
            "Switch to the Page, click Add cover photo and upload a banner of the unit "
            "(1640 x 624 pixels shows well on phones and computers)."
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        CLASSIC_PAGE,
        WARNING,
        _("On the new Pages experience"),
        _("The Page still uses the classic Pages layout."),
        _(
            'Open the Page and follow the "Switch to the new Pages experience" prompt at the '
            "top (a Page admin with full control must do it); classic Pages no longer get "
            "new features."
        ),
        depends_on=_CONNECTED,
    ),
    Check(
        NO_RECENT_POST,
        WARNING,
        _("Posted in the last 30 days"),
        _("The Page has not posted in the last 30 days (last post: %(last)s)."),
        _(
            "Publish at least one post a month; the content from the centre in your "
            "Serentak inbox is a good start. A quiet Page looks abandoned to the public."
        ),
        depends_on=_CONNECTED,
    ),
)
CHECKS_BY_CODE: dict[str, Check] = {check.code: check for check in CHECKS}


def check_get(code: str) -> Check | None:
    return CHECKS_BY_CODE.get(code)


def unit_score(codes: Iterable[str]) -> int:
    """100 minus the weights of the open findings' checks, floored at 0 (see module doc)."""
    penalty = sum(CHECKS_BY_CODE[code].weight for code in codes if code in CHECKS_BY_CODE)
    return max(0, 100 - penalty)


def website_is_official(website: str) -> bool:
    """Any of the listed sites (Facebook separates several with spaces) is under go.id."""
    return any(OFFICIAL_WEBSITE.match(part) for part in website.split())


# --- Snapshots and evaluation ---------------------------------------------------------------


@dataclass(frozen=True)
class TokenState:
    is_valid: bool | None  # None: never checked
    expires_at: dt.datetime | None  # None: never expires (or not known)
    tasks: tuple[str, ...] = ()  # empty: not known
    last_error: str = ""  # why the Page could not be read at the last fetch ("" when it could)


@dataclass(frozen=True)
class PresenceState:
    id: int | None
    kind: str  # PresenceKind values
    is_official: bool
    url: str = ""
    fetched_at: dt.datetime | None = None  # None: never read from Facebook
    name: str = ""
    website: str = ""
    about: str = ""
    picture_is_silhouette: bool | None = None
    has_cover: bool | None = None
    is_published: bool | None = None
    new_pages_experience: bool | None = None
    last_post_at: dt.datetime | None = None
    token: TokenState | None = None  # None: not connected
    # Listed by /me/accounts for the system user (None: not known in this run).
    assigned: bool | None = None


@dataclass(frozen=True)
class UnitState:
    code: str
    expected_name: str
    presences: tuple[PresenceState, ...] = ()


@dataclass(frozen=True)
class Found:
    code: str
    presence_id: int | None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return CHECKS_BY_CODE[self.code].severity


@dataclass(frozen=True)
class Evaluation:
    found: list[Found]
    # (presence id, code) of every check that could be decided: an open finding with one of
    # these keys that is not found again is resolved; any other open finding stays open.
    decided: frozenset[tuple[int | None, str]]
    # The presences the checks looked at; open findings of any other presence are stale.
    presence_ids: frozenset[int]


def _page_checks(
    page: PresenceState, *, expected: str, now: dt.datetime
) -> tuple[list[Found], set[str]]:
    found: list[Found] = []
    decided: set[str] = {PAGE_NOT_CONNECTED}

    def add(code: str, **params: Any) -> None:
        found.append(Found(code, page.id, params))

    token = page.token
    if token is None:
        add(PAGE_NOT_CONNECTED)
    else:
        decided.add(PAGE_UNREACHABLE)
        if token.last_error:
            add(PAGE_UNREACHABLE, error=token.last_error)
        if token.is_valid is not None:
            decided |= {TOKEN_INVALID, TOKEN_EXPIRING}
            if not token.is_valid:
                add(TOKEN_INVALID)
            elif token.expires_at is not None and token.expires_at - now <= TOKEN_EXPIRY_WARNING:
                left = max(0, (token.expires_at - now).days)
                add(TOKEN_EXPIRING, days=left, date=token.expires_at.date().isoformat())
        if token.tasks:
            decided |= {TOKEN_NO_CREATE_CONTENT, TOKEN_NO_ANALYZE}
            if CREATE_CONTENT not in token.tasks:
                add(TOKEN_NO_CREATE_CONTENT)
            if ANALYZE not in token.tasks:
                add(TOKEN_NO_ANALYZE)
        if page.assigned is not None:
            decided.add(PAGE_NOT_ASSIGNED)
            if not page.assigned:
                add(PAGE_NOT_ASSIGNED)

    if page.fetched_at is None:
        return found, decided
    decided |= {NAME_MISMATCH, WEBSITE_MISSING, WEBSITE_NOT_OFFICIAL, ABOUT_MISSING}
    decided.add(NO_RECENT_POST)
    if page.name != expected:  # exactly: "KPU Kab. Bombana" is not "KPU Kabupaten Bombana"
        add(NAME_MISMATCH, expected=expected, actual=page.name)
    website = page.website.strip()
    if not website:
        add(WEBSITE_MISSING)
    elif not website_is_official(website):
        add(WEBSITE_NOT_OFFICIAL, website=website)
    if not page.about.strip():
        add(ABOUT_MISSING, expected=expected)
    if page.is_published is not None:
        decided.add(PAGE_UNPUBLISHED)
        if not page.is_published:
            add(PAGE_UNPUBLISHED)
    if page.picture_is_silhouette is not None:
        decided.add(PICTURE_MISSING)
        if page.picture_is_silhouette:
            add(PICTURE_MISSING)
    if page.has_cover is not None:
        decided.add(COVER_MISSING)
        if not page.has_cover:
            add(COVER_MISSING)
    if page.new_pages_experience is not None:
        decided.add(CLASSIC_PAGE)
        if not page.new_pages_experience:
            add(CLASSIC_PAGE)
    if page.last_post_at is None or now - page.last_post_at > QUIET_PAGE_AFTER:
        last = page.last_post_at.date().isoformat() if page.last_post_at else ""
        add(NO_RECENT_POST, last=last)
    return found, decided


def unit_evaluate(unit: UnitState, *, now: dt.datetime) -> Evaluation:
    """What the checks find for one unit, and which checks they could decide."""
    found: list[Found] = []
    decided: set[tuple[int | None, str]] = {(None, NO_OFFICIAL_PAGE)}
    looked_at: set[int] = set()
    official_pages = [p for p in unit.presences if p.is_official and p.kind == "page"]
    for presence in unit.presences:
        if presence.kind == "profile":
            if presence.id is not None:
                looked_at.add(presence.id)
            decided.add((presence.id, PERSONAL_PROFILE))
            found.append(Found(PERSONAL_PROFILE, presence.id, {"url": presence.url}))
    if not official_pages:
        found.append(Found(NO_OFFICIAL_PAGE, None, {"expected": unit.expected_name}))
    for page in official_pages[:1]:  # the database allows one official presence per unit
        if page.id is not None:
            looked_at.add(page.id)
        page_found, page_decided = _page_checks(page, expected=unit.expected_name, now=now)
        found += page_found
        decided |= {(page.id, code) for code in page_decided}
    return Evaluation(found=found, decided=frozenset(decided), presence_ids=frozenset(looked_at))

"""The seeded world: the app, its system user, the Pages of the KPU units and their tokens.

Deterministic for a seed: the same ``(pages, seed)`` gives the same ids, names, tokens and
problems. Page names come from the unit data shipped with the ``org`` app (read as files:
the sandbox imports nothing from Django). A share of the Pages carries the problems an
audit must find: misnamed, no website, no picture, unpublished, a Page token expiring
soon, the system user without the CREATE_CONTENT task, and Pages reachable only through
the business (``owned_pages``/``client_pages``), never through ``/me/accounts``.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

ADMIN_TASKS = ("ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE")
EDITOR_TASKS = ("ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT")
MODERATOR_TASKS = ("ANALYZE", "ADVERTISE", "MODERATE")

SYSTEM_USER_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_manage_metadata",
    "pages_manage_engagement",
    "pages_read_user_content",
    "read_insights",
    "business_management",
    "public_profile",
)
# A person's token, as a Page admin would grant it through Facebook Login: no business
# management, no insights (so code 10 is reachable with it).
USER_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "public_profile",
)

PROBLEMS = (
    "misnamed",
    "no_website",
    "no_picture",
    "unpublished",
    "token_expiring",
    "no_create_content",
    "business_only",
)
# Share of the Pages with each problem (at least one of each once there are 8 Pages).
PROBLEM_SHARES = {
    "misnamed": 0.05,
    "no_website": 0.08,
    "no_picture": 0.04,
    "unpublished": 0.02,
    "token_expiring": 0.04,
    "no_create_content": 0.03,
    "business_only": 0.03,
}
# Units whose Pages stay clean: the centre and the demo personas' units.
CLEAN_UNITS = frozenset({"00", "74", "74.06", "74.02"})

CATEGORY = "Government organization"
CATEGORY_LIST = [{"id": "2235", "name": "Government Organization"}]
SILHOUETTE = (
    "https://scontent.xx.fbcdn.net/v/t1.30497-1/84628273_176159830277856_972693363922829312_n.jpg"
)
DAY = 86_400


@dataclass
class Unit:
    code: str
    kind: str  # centre | province | regency | city
    name: str  # display name, e.g. "KPU Kabupaten Bombana"
    region: str  # e.g. "Kabupaten Bombana"
    short: str  # "KPU" or "KIP"


@dataclass
class Page:
    id: str
    name: str
    official_name: str
    unit_code: str
    username: str | None
    fan_count: int
    followers_count: int
    talking_about_count: int
    engaged_users: int
    verification_status: str
    website: str | None
    about: str
    description: str
    emails: list[str]
    phone: str
    single_line_address: str
    is_published: bool
    picture_url: str | None  # None: the Page has no picture (silhouette)
    in_me_accounts: bool
    business_edge: str  # "owned_pages" or "client_pages"
    problems: list[str] = field(default_factory=list)
    subscribed_fields: list[str] = field(default_factory=list)

    @property
    def link(self) -> str:
        if self.username:
            return f"https://www.facebook.com/{self.username}"
        return f"https://www.facebook.com/profile.php?id={self.id}"


@dataclass
class Token:
    value: str
    kind: str  # system_user | user | page | app
    subject_id: str  # the user, the Page or the app the token speaks for
    user_id: str | None  # Page tokens: the user they were obtained through
    scopes: list[str]
    issued_at: int
    expires_at: int  # 0: never
    data_access_expires_at: int  # 0: never
    invalid_subcode: int | None = None
    restore_at: float | None = None


@dataclass
class User:
    id: str
    name: str
    kind: str  # system_user | user


@dataclass
class World:
    seed: int
    app_id: str
    app_name: str
    app_secret: str
    business_id: str
    business_name: str
    system_user: User
    person: User
    pages: list[Page]
    tokens: dict[str, Token]
    roles: dict[tuple[str, str], list[str]]  # (user id, Page id) -> tasks
    page_tokens: dict[tuple[str, str], str]  # (user id, Page id) -> token value
    profiles: list[dict[str, str]]  # personal profiles: never visible through Graph
    pages_by_id: dict[str, Page] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pages_by_id = {page.id: page for page in self.pages}

    @property
    def app_token(self) -> str:
        return f"{self.app_id}|{self.app_secret}"

    @property
    def system_user_token(self) -> str:
        return next(t.value for t in self.tokens.values() if t.kind == "system_user")

    @property
    def person_token(self) -> str:
        return next(t.value for t in self.tokens.values() if t.kind == "user")

    def user(self, user_id: str) -> User | None:
        for user in (self.system_user, self.person):
            if user.id == user_id:
                return user
        return None

    def summary(self) -> dict[str, Any]:
        """Everything a test or the demo may want to know, including the hidden parts."""
        system_id = self.system_user.id
        return {
            "seed": self.seed,
            "app": {"id": self.app_id, "name": self.app_name, "secret": self.app_secret},
            "business": {"id": self.business_id, "name": self.business_name},
            "system_user": {
                "id": system_id,
                "name": self.system_user.name,
                "token": self.system_user_token,
            },
            "user": {"id": self.person.id, "name": self.person.name, "token": self.person_token},
            "pages": [
                {
                    "id": page.id,
                    "name": page.name,
                    "official_name": page.official_name,
                    "unit_code": page.unit_code,
                    "username": page.username,
                    "access_token": self.page_tokens[(system_id, page.id)],
                    "tasks": self.roles.get((system_id, page.id), []),
                    "in_me_accounts": page.in_me_accounts,
                    "business_edge": page.business_edge,
                    "problems": page.problems,
                }
                for page in self.pages
            ],
            "profiles": self.profiles,
        }


# --- Units ---------------------------------------------------------------------------


def _data_text(name: str) -> str:
    return resources.files("serentak.org").joinpath("data", "kpu", name).read_text("utf-8")


def kpu_units() -> list[Unit]:
    """The 553 KPU units in tree order, named as the org app names them."""
    preset = json.loads(_data_text("preset.json"))
    spec = preset["institution"]
    naming: dict[str, str] = spec["naming"]
    short_overrides: dict[str, str] = preset["short_name_overrides"]
    name_overrides: dict[str, str] = preset["name_overrides"]

    def make(code: str, province: str, kind: str, region: str) -> Unit:
        short = short_overrides.get(code) or short_overrides.get(province) or spec["short_name"]
        name = name_overrides.get(code) or " ".join(
            naming.get(kind, "{short} {region}").format(short=short, region=region).split()
        )
        return Unit(code=code, kind=kind, name=name, region=region, short=short)

    centre = preset["centre"]
    units = [make(centre["code"], "", "centre", centre["region_name"])]
    for row in csv.DictReader(io.StringIO(_data_text("provinces.csv"))):
        units.append(make(row["code"], row["code"], "province", row["name_title"]))
    kinds = {"kabupaten": "regency", "kota": "city"}
    for row in csv.DictReader(io.StringIO(_data_text("regencies.csv"))):
        units.append(make(row["code"], row["province_code"], kinds[row["kind"]], row["name_title"]))
    return units


def _extra_unit(index: int) -> Unit:
    """Beyond the 553 real units (``--pages`` larger than KPU), numbered test Pages."""
    region = f"Sandbox {index}"
    return Unit(code=f"X{index}", kind="regency", name=f"KPU {region}", region=region, short="KPU")


# --- Seeding ----------------------------------------------------------------------------


class _Ids:
    """Unique numeric ids that look like Meta's (15 digits), from the seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self, prefix: str = "") -> str:
        while True:
            digits = str(self.rng.randrange(10**14, 10**15))
            value = (prefix + digits)[:15] if prefix else digits
            if value not in self.used:
                self.used.add(value)
                return value


def _token(rng: random.Random, length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "EAA" + "".join(rng.choice(alphabet) for _ in range(length))


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _local_name(unit: Unit) -> str:
    """ "Bombana" for "Kabupaten Bombana", "Kendari" for "Kota Kendari"."""
    return re.sub(r"^(Provinsi|Kabupaten|Kota)( Administrasi)? ", "", unit.name.split(" ", 1)[1])


def _username(unit: Unit) -> str:
    if unit.kind == "centre":
        return "KPURI"
    prefix = {"province": "prov", "regency": "kab", "city": "kota"}[unit.kind]
    return f"{unit.short.lower()}{prefix}{_compact(_local_name(unit))}"[:50]


def _website(unit: Unit) -> str:
    if unit.kind == "centre":
        return "https://www.kpu.go.id"
    local = _compact(_local_name(unit))
    if unit.kind == "province":
        return f"https://{local}.kpu.go.id"
    prefix = "kab" if unit.kind == "regency" else "kota"
    return f"https://{prefix}-{local}.kpu.go.id"


def _misname(unit: Unit, rng: random.Random) -> str:
    local = _local_name(unit)
    variants = [
        f"{unit.short} {local}",
        f"{unit.short.capitalize()} Kab. {local}",
        unit.name.upper(),
        f"{unit.name} (Official)",
        f"Info Pemilu {local}",
    ]
    return rng.choice(variants)


def _audience(unit: Unit, rng: random.Random) -> int:
    if unit.kind == "centre":
        return rng.randrange(900_000, 1_300_000)
    if unit.kind == "province":
        return rng.randrange(5_000, 60_000)
    if rng.random() < 0.03:
        return rng.randrange(20, 100)
    return rng.randrange(300, 12_000)


def _verification(unit: Unit, rng: random.Random) -> str:
    if unit.kind == "centre":
        return "blue_verified"
    roll = rng.random()
    if unit.kind == "province":
        return "blue_verified" if roll < 0.35 else "not_verified"
    if roll < 0.04:
        return "blue_verified"
    return "gray_verified" if roll < 0.06 else "not_verified"


def _assign_problems(count: int, units: list[Unit], rng: random.Random) -> list[list[str]]:
    problems: list[list[str]] = [[] for _ in range(count)]
    candidates = [i for i in range(count) if units[i].code not in CLEAN_UNITS]
    rng.shuffle(candidates)
    if not candidates:
        return problems
    cursor = 0
    for problem in PROBLEMS:
        wanted = round(PROBLEM_SHARES[problem] * count)
        if count >= 8:
            wanted = max(wanted, 1)
        for _ in range(wanted):
            problems[candidates[cursor % len(candidates)]].append(problem)
            cursor += 1
    return problems


def world_seed(*, pages: int, seed: int, now: float) -> World:
    """Build the world of ``pages`` Pages for ``seed`` (times relative to ``now``)."""
    rng = random.Random(seed)  # noqa: S311 - the world must be reproducible, not secret
    ids = _Ids(rng)
    units = kpu_units()
    units += [_extra_unit(i) for i in range(len(units) + 1, pages + 1)]
    units = units[:pages]
    problems = _assign_problems(pages, units, rng)
    issued = int(now) - 30 * DAY

    app_id = ids.new("1")
    app_secret = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    business_id = ids.new("1")
    system_user = User(id=ids.new("6155"), name="Serentak System User", kind="system_user")
    person = User(id=ids.new("1000"), name="Humas KPU RI", kind="user")

    tokens: dict[str, Token] = {}

    def add_token(token: Token) -> str:
        tokens[token.value] = token
        return token.value

    add_token(
        Token(
            value=_token(rng, 180),
            kind="system_user",
            subject_id=system_user.id,
            user_id=system_user.id,
            scopes=list(SYSTEM_USER_SCOPES),
            issued_at=issued,
            expires_at=0,
            data_access_expires_at=0,
        )
    )
    add_token(
        Token(
            value=_token(rng, 170),
            kind="user",
            subject_id=person.id,
            user_id=person.id,
            scopes=list(USER_SCOPES),
            issued_at=int(now) - 10 * DAY,
            expires_at=int(now) + 50 * DAY,
            data_access_expires_at=int(now) + 80 * DAY,
        )
    )
    add_token(
        Token(
            value=f"{app_id}|{app_secret}",
            kind="app",
            subject_id=app_id,
            user_id=None,
            scopes=[],
            issued_at=0,
            expires_at=0,
            data_access_expires_at=0,
        )
    )

    page_list: list[Page] = []
    roles: dict[tuple[str, str], list[str]] = {}
    page_tokens: dict[tuple[str, str], str] = {}
    for index, unit in enumerate(units):
        issues = problems[index]
        page_id = ids.new()
        followers = _audience(unit, rng)
        fans = followers if rng.random() < 0.9 else int(followers * rng.uniform(0.8, 0.98))
        local = _local_name(unit) if unit.kind != "centre" else "Republik Indonesia"
        long_name = unit.name.replace(unit.short, "Komisi Pemilihan Umum", 1)
        if unit.short == "KIP":
            long_name = unit.name.replace("KIP", "Komisi Independen Pemilihan", 1)
        if unit.kind in ("regency", "city") and rng.random() < 0.1:
            username = None
        else:
            username = _username(unit)
        picture = (
            None
            if "no_picture" in issues
            else f"https://scontent.xx.fbcdn.net/v/t39.30808-1/{ids.new('3')}_n.jpg"
        )
        if unit.kind in ("regency", "city"):
            business_edge = "client_pages" if rng.random() < 0.15 else "owned_pages"
        else:
            business_edge = "owned_pages"
        page = Page(
            id=page_id,
            name=_misname(unit, rng) if "misnamed" in issues else unit.name,
            official_name=unit.name,
            unit_code=unit.code,
            username=username,
            fan_count=fans,
            followers_count=followers,
            talking_about_count=int(followers * rng.uniform(0.001, 0.03)),
            engaged_users=max(1, followers // 400),
            verification_status=_verification(unit, rng),
            website=None if "no_website" in issues else _website(unit),
            about=f"Akun resmi {long_name}."[:100],
            description=(
                f"Halaman resmi {long_name}. Informasi tahapan pemilu dan pemilihan, "
                f"pengumuman, dan layanan publik untuk warga {local}."
            ),
            emails=[f"{_compact(local)[:20] or 'kpu'}@kpu.go.id"],
            phone=f"+62 {rng.randrange(21, 999)} {rng.randrange(100_000, 9_999_999)}",
            single_line_address=f"Jl. Pemilu No. {rng.randrange(1, 200)}, {local}, Indonesia",
            is_published="unpublished" not in issues,
            picture_url=picture,
            in_me_accounts="business_only" not in issues,
            business_edge=business_edge,
            problems=list(issues),
        )
        page_list.append(page)
        tasks = MODERATOR_TASKS if "no_create_content" in issues else ADMIN_TASKS
        roles[(system_user.id, page_id)] = list(tasks)
        expires = int(now) + rng.randrange(1, 7) * DAY if "token_expiring" in issues else 0
        page_tokens[(system_user.id, page_id)] = add_token(
            Token(
                value=_token(rng, 190),
                kind="page",
                subject_id=page_id,
                user_id=system_user.id,
                scopes=list(SYSTEM_USER_SCOPES),
                issued_at=issued,
                expires_at=expires,
                data_access_expires_at=0,
            )
        )

    # The person administers the centre and edits the first two provinces.
    for position, page in enumerate(page_list[:3]):
        roles[(person.id, page.id)] = list(ADMIN_TASKS if position == 0 else EDITOR_TASKS)
        page_tokens[(person.id, page.id)] = add_token(
            Token(
                value=_token(rng, 190),
                kind="page",
                subject_id=page.id,
                user_id=person.id,
                scopes=list(USER_SCOPES),
                issued_at=int(now) - 10 * DAY,
                expires_at=0,
                data_access_expires_at=int(now) + 80 * DAY,
            )
        )

    profiles = []
    local_units = [u for u in units if u.kind in ("regency", "city")] or units[1:] or units
    for unit in local_units[: max(1, pages // 100)]:
        profile_id = ids.new("1000")
        profiles.append(
            {
                "id": profile_id,
                "name": f"{unit.short.capitalize()} {_local_name(unit)}",
                "link": f"https://www.facebook.com/profile.php?id={profile_id}",
                "unit_code": unit.code,
            }
        )

    return World(
        seed=seed,
        app_id=app_id,
        app_name="Serentak",
        app_secret=app_secret,
        business_id=business_id,
        business_name="Komisi Pemilihan Umum",
        system_user=system_user,
        person=person,
        pages=page_list,
        tokens=tokens,
        roles=roles,
        page_tokens=page_tokens,
        profiles=profiles,
    )

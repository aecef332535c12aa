"""The URL normaliser on the shapes of Facebook address people really paste."""

from __future__ import annotations

import pytest
from django.utils import translation

from serentak.pages.facebook_urls import (
    GROUP,
    NOT_FACEBOOK,
    PAGE,
    UNKNOWN,
    NormalizedUrl,
    normalize_facebook_url,
    username_key,
)
from serentak.pages.models import PresenceKind

FB = "https://www.facebook.com"
BOMBANA = f"{FB}/kpubombana"
BOMBANA_DOTS = f"{FB}/kpu.bombana"
ID = "100064123456789"
BY_ID = f"{FB}/profile.php?id={ID}"
PAGE_ID = "123456789012345"
BY_PAGE_ID = f"{FB}/profile.php?id={PAGE_ID}"
ENCODED = "https%3A%2F%2Fwww.facebook.com%2Fkpubombana"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# (what was pasted, canonical URL, kind)
ACCOUNTS = [
    # Hosts, schemes, case, spaces, slashes.
    ("facebook.com/kpu.bombana", BOMBANA_DOTS, UNKNOWN),
    ("fb.com/kpubombana", BOMBANA, UNKNOWN),
    ("www.facebook.com/kpubombana", BOMBANA, UNKNOWN),
    ("http://facebook.com/kpubombana/", BOMBANA, UNKNOWN),
    ("HTTPS://WWW.FACEBOOK.COM/KPU.BOMBANA/", BOMBANA_DOTS, UNKNOWN),
    ("  https://www.facebook.com/kpubombana  ", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/kpubombana\u200b", BOMBANA, UNKNOWN),
    ("<https://facebook.com/kpubombana>.", BOMBANA, UNKNOWN),
    ('"facebook.com/kpubombana"', BOMBANA, UNKNOWN),
    ("facebook.com/ kpubombana", BOMBANA, UNKNOWN),
    ("//facebook.com/kpubombana", BOMBANA, UNKNOWN),
    ("https://www.facebook.com:443/kpubombana", BOMBANA, UNKNOWN),
    ("https://m.facebook.com/kpubombana", BOMBANA, UNKNOWN),
    ("https://web.facebook.com/kpubombana/?_rdc=1&_rdr", BOMBANA, UNKNOWN),
    ("https://mbasic.facebook.com/kpubombana?refid=17", BOMBANA, UNKNOWN),
    ("https://touch.facebook.com/kpubombana", BOMBANA, UNKNOWN),
    ("https://business.facebook.com/kpubombana/", BOMBANA, UNKNOWN),
    ("https://free.facebook.com/kpubombana", BOMBANA, UNKNOWN),
    ("https://id-id.facebook.com/kpubombana", BOMBANA, UNKNOWN),
    ("https://fb.me/kpubombana", BOMBANA, UNKNOWN),
    ("m.me/kpubombana", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/#!/kpubombana", BOMBANA, UNKNOWN),
    # Tracking query strings and fragments.
    ("https://www.facebook.com/kpubombana?mibextid=ZbWKwL", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/kpubombana?rdid=AbC123&share_url=x", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/kpubombana/?ref=page_internal", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/kpubombana?locale=id_ID#about", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/kpubombana?__tn__=%2CO%2CP-R&fbclid=IwAR0", BOMBANA, UNKNOWN),
    # Trailing paths: tabs, posts, photos, videos reduce to the account.
    ("https://www.facebook.com/kpubombana/about_contact_and_basic_info", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/kpubombana/posts/pfbid02AbCdEf/", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/KPUBombana/posts/123456789?__cft__[0]=AZ", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/kpubombana/photos/a.111/222/?type=3", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/kpubombana/videos/333444555/", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/watch/kpubombana/", BOMBANA, UNKNOWN),
    # Percent-encoded and Unicode (full-width letters fold to ASCII).
    ("https://www.facebook.com/kpu%2Ebombana", BOMBANA_DOTS, UNKNOWN),
    ("https://www.facebook.com/%EF%BC%AB%EF%BC%B0%EF%BC%B5bombana", BOMBANA, UNKNOWN),
    ("https://www.facebook.com/\uff2b\uff30\uff35bombana", BOMBANA, UNKNOWN),
    # Numeric ids: a Page or a person, the new Pages experience uses them too.
    (f"https://www.facebook.com/profile.php?id={ID}", BY_ID, UNKNOWN),
    (f"https://m.facebook.com/profile.php?id={ID}&mibextid=ZbWKwL", BY_ID, UNKNOWN),
    (f"https://mbasic.facebook.com/profile.php?sk=about&id={ID}&refid=17", BY_ID, UNKNOWN),
    (f"facebook.com/profile.php?id={ID}#", BY_ID, UNKNOWN),
    (f"https://www.facebook.com/people/KPU-Kabupaten-Bombana/{ID}/", BY_ID, UNKNOWN),
    (f"https://www.facebook.com/people/KPU-Bombana/{ID}/?mibextid=abc", BY_ID, UNKNOWN),
    (f"https://www.facebook.com/p/KPU-Kabupaten-Bombana-{ID}/", BY_ID, UNKNOWN),
    (f"https://www.facebook.com/{ID}", BY_ID, UNKNOWN),
    (f"https://www.facebook.com/{ID}/posts/pfbid0abc/", BY_ID, UNKNOWN),
    (f"https://business.facebook.com/latest/home?asset_id={ID}&nav_ref=x", BY_ID, UNKNOWN),
    # A post or photo reduces to the owner the address shows.
    (f"https://www.facebook.com/permalink.php?story_fbid=pfbid0x&id={ID}", BY_ID, UNKNOWN),
    (f"https://m.facebook.com/story.php?story_fbid=123&id={ID}&mibextid=Nif5oz", BY_ID, UNKNOWN),
    (f"https://www.facebook.com/photo.php?fbid=1&set=a.2.3.{ID}&type=3", BY_ID, UNKNOWN),
    (f"https://www.facebook.com/photo/?fbid=1&set=pb.{ID}.-2207520000", BY_ID, UNKNOWN),
    # Addresses only Pages have.
    (f"https://www.facebook.com/pages/KPU-Bombana/{PAGE_ID}", BY_PAGE_ID, PAGE),
    (f"https://www.facebook.com/pages/KPU-Bombana/{PAGE_ID}/?sk=info", BY_PAGE_ID, PAGE),
    (
        f"https://www.facebook.com/pages/category/Government-Organization/KPU-Bombana-{PAGE_ID}/",
        BY_PAGE_ID,
        PAGE,
    ),
    (f"https://www.facebook.com/KPU-Kabupaten-Bombana-{PAGE_ID}/", BY_PAGE_ID, PAGE),
    ("https://www.facebook.com/pg/kpubombana/posts/", BOMBANA, PAGE),
    (f"https://www.facebook.com/pg/KPU-Bombana-{PAGE_ID}/about/", BY_PAGE_ID, PAGE),
    (f"fb://page/{PAGE_ID}", BY_PAGE_ID, PAGE),
    # Groups (a post in a group reduces to the group).
    ("https://www.facebook.com/groups/123456/", f"{FB}/groups/123456", GROUP),
    ("https://www.facebook.com/groups/123456/permalink/789/", f"{FB}/groups/123456", GROUP),
    ("https://www.facebook.com/groups/123456/posts/789/?mibextid=x", f"{FB}/groups/123456", GROUP),
    ("https://m.facebook.com/groups/123456?view=permalink&id=9", f"{FB}/groups/123456", GROUP),
    ("https://www.facebook.com/groups/KPU.Bombana/?ref=share", f"{FB}/groups/kpu.bombana", GROUP),
    # Share links: the owner cannot be known offline; the code keeps its case.
    ("https://www.facebook.com/share/1AbCdEfGh/", f"{FB}/share/1AbCdEfGh", UNKNOWN),
    ("https://www.facebook.com/share/p/1AbCd/?mibextid=oFDknk", f"{FB}/share/p/1AbCd", UNKNOWN),
    ("https://m.facebook.com/share/g/9XyZ/", f"{FB}/share/g/9XyZ", UNKNOWN),
    ("https://fb.me/e/1a2B3c", "https://fb.me/e/1a2B3c", UNKNOWN),
    # Wrappers around a Facebook address are opened once.
    (f"https://l.facebook.com/l.php?u={ENCODED}&h=AT0", BOMBANA, UNKNOWN),
    (f"https://www.facebook.com/login/?next={ENCODED}", BOMBANA, UNKNOWN),
    (f"https://www.facebook.com/plugins/page.php?href={ENCODED}&tabs=timeline", BOMBANA, UNKNOWN),
]  # fmt: skip


@pytest.mark.parametrize(("pasted", "canonical", "kind"), ACCOUNTS)
def test_it_reduces_every_shape_to_one_canonical_url_and_the_kind_it_proves(
    pasted, canonical, kind
):
    result = normalize_facebook_url(pasted)
    assert result.error is None, result.error
    assert (result.canonical_url, result.kind) == (canonical, kind)


# (what was pasted, a word of the expected error)
NOT_ACCOUNTS = [
    ("", "empty"),
    ("   ", "empty"),
    ("-", "empty"),
    ("tidak ada", "empty"),
    ("https://www.facebook.com/", "Facebook itself"),
    ("https://www.facebook.com/login", "not a Facebook account address"),
    ("https://www.facebook.com/login.php?skip_api_login=1", "not a Facebook account address"),
    ("https://www.facebook.com/home.php", "not a Facebook account address"),
    ("https://www.facebook.com/search/top?q=kpu%20bombana", "not a Facebook account address"),
    ("https://www.facebook.com/watch", "not a Facebook account address"),
    ("https://www.facebook.com/marketplace/item/1", "not a Facebook account address"),
    ("https://www.facebook.com/gaming/somebody", "not a Facebook account address"),
    ("https://www.facebook.com/help/123", "not a Facebook account address"),
    ("https://www.facebook.com/policies", "not a Facebook account address"),
    ("https://www.facebook.com/settings?tab=account", "not a Facebook account address"),
    ("https://www.facebook.com/me", "not a Facebook account address"),
    ("https://www.facebook.com/groups/feed/", "not a Facebook account address"),
    ("https://developers.facebook.com/docs/graph-api", "not a Facebook account address"),
    ("https://www.facebook.com/watch/?v=123456", "a video"),
    ("https://fb.watch/abc123/", "a video"),
    ("https://www.facebook.com/reel/123456", "a video"),
    ("https://www.facebook.com/events/123456/", "an event"),
    ("https://www.facebook.com/photo/?fbid=123&set=a.456", "a photo"),
    ("https://www.facebook.com/media/set/?set=a.123&type=3", "a photo"),
    ("https://www.facebook.com/permalink.php?story_fbid=123", "a post"),
    ("https://www.facebook.com/profile.php", "id="),
    ("https://www.facebook.com/profile.php?id=abc", "id="),
    ("https://www.facebook.com/people/KPU-Bombana/", "number"),
    ("https://www.facebook.com/pages/KPU-Bombana", "number"),
    ("https://www.facebook.com/kpu_bombana", "not a Facebook username"),
    ("https://www.facebook.com/KPU%20Bombana", "not a Facebook username"),
    ("https://www.facebook.com/kpubomban\u0430", "not a Facebook username"),  # Cyrillic a
    ("https://www.facebook.com/" + "x" * 1000, "longer than"),
]


@pytest.mark.parametrize(("pasted", "words"), NOT_ACCOUNTS)
def test_it_refuses_what_is_not_an_account_address_with_a_clear_message(pasted, words):
    result = normalize_facebook_url(pasted)
    assert result.kind is None
    assert result.canonical_url == ""
    assert result.key is None
    assert words in (result.error or "")


NOT_FACEBOOK_ADDRESSES = [
    ("https://www.instagram.com/kpubombana", "instagram.com"),
    ("https://x.com/kpu_ri", "x.com"),
    ("https://twitter.com/kpu_ri", "twitter.com"),
    ("kpu.go.id", "kpu.go.id"),
    ("https://bombanakab.kpu.go.id/", "kpu.go.id"),
    ("https://facebook.com.example.com/kpubombana", "example.com"),
    ("https://notfacebook.com/kpubombana", "notfacebook.com"),
    ("Bombana", "not a web address"),
    (ID, "not a web address"),  # a bare number does not say it is Facebook's
    ("KPU Kabupaten Bombana", "not a web address"),
    ("humas@kpubombana.go.id", "email"),
    ("@kpubombana", "handle"),
    ("javascript:alert(1)", "not a web address"),
    ("https://l.facebook.com/l.php?u=https%3A%2F%2Fkpu.go.id%2F&h=AT0", "another site (kpu.go.id)"),
]


@pytest.mark.parametrize(("pasted", "words"), NOT_FACEBOOK_ADDRESSES)
def test_it_says_when_an_address_is_not_facebook(pasted, words):
    result = normalize_facebook_url(pasted)
    assert result.kind == NOT_FACEBOOK
    assert result.canonical_url == ""
    assert words in (result.error or "")


def test_the_table_covers_at_least_forty_real_world_shapes():
    assert len(ACCOUNTS) + len(NOT_ACCOUNTS) + len(NOT_FACEBOOK_ADDRESSES) >= 40
    assert len(ACCOUNTS) >= 40


def test_usernames_compare_without_dots_and_case_but_keep_their_dots():
    dotted = normalize_facebook_url("facebook.com/KPU.Bombana")
    plain = normalize_facebook_url("https://m.facebook.com/kpubombana/posts/1")
    assert dotted.canonical_url == BOMBANA_DOTS
    assert dotted.username == "kpu.bombana"
    assert dotted.key == plain.key == "user:kpubombana"
    assert username_key("Kpu.Bom.Bana") == "kpubombana"


def test_an_id_and_a_page_address_with_the_same_number_are_one_account():
    by_page = normalize_facebook_url(f"https://www.facebook.com/pages/KPU/{ID}")
    by_profile = normalize_facebook_url(f"https://www.facebook.com/profile.php?id={ID}")
    assert by_page.key == by_profile.key == f"id:{ID}"
    assert by_page.numeric_id == ID
    assert by_page.username is None


def test_groups_are_keyed_apart_from_accounts_of_the_same_name():
    group = normalize_facebook_url("https://www.facebook.com/groups/kpubombana")
    account = normalize_facebook_url("https://www.facebook.com/kpubombana")
    assert group.key == "group:kpubombana"
    assert group.key != account.key


def test_it_never_says_profile_and_its_kinds_are_presence_kinds():
    kinds = {normalize_facebook_url(pasted).kind for pasted, _, _ in ACCOUNTS}
    assert PresenceKind.PROFILE not in kinds
    assert kinds <= set(PresenceKind.values)
    assert NOT_FACEBOOK in PresenceKind.values


def test_it_explains_why_the_kind_is_unknown():
    result = normalize_facebook_url("https://www.facebook.com/kpubombana")
    assert "Page or a person" in result.reason
    assert isinstance(result, NormalizedUrl)
    assert result.ok

"""Writes on notices: sending them (``notify``), reading them, preferences, and emails.

Other apps call ``notify`` and nothing else. The humas staff of 553 units cannot keep up
with a flood of emails, so by default only urgent notices are emailed at once; the rest
wait for one daily digest at the person's chosen hour of their unit's local time, and even
urgent ones fall into the digest once a person has had ``EMAIL_FLOOD_LIMIT`` emails in an
hour. Emails are sent by a task (``tasks.send_email``) from an ``EmailDelivery`` row,
queued once the transaction that made the notice commits.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from serentak.accounts.models import User
from serentak.core.selectors import people_timezones
from serentak.core.timefmt import zone_label
from serentak.notifications.kinds import (
    Channel,
    Priority,
    Route,
    channel_resolve,
    group_get,
    kind_get,
)
from serentak.notifications.models import (
    DigestSchedule,
    EmailDelivery,
    EmailKind,
    EmailStatus,
    Notification,
    NotificationPreference,
)
from serentak.notifications.selectors import channels_chosen

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from serentak.org.models import Unit

logger = logging.getLogger(__name__)

# At most this many single-notice emails per person per window; the rest wait for the digest.
EMAIL_FLOOD_LIMIT = 5
EMAIL_FLOOD_WINDOW = dt.timedelta(hours=1)
# Errors after which sending again may work; anything else fails the delivery at once.
EMAIL_RETRYABLE_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPException, OSError)
EMAIL_MAX_ATTEMPTS = 5
# A socket timeout is an OSError (retried), where a hung server would otherwise eat the
# task's whole time limit.
EMAIL_SOCKET_TIMEOUT = 30
# A delivery left "sending" this long lost its worker (longer than the task's time limit).
SENDING_STALE_AFTER = dt.timedelta(minutes=10)
# A delivery left "queued" this long lost its broker message (longer than the longest
# retry backoff), so the digest run queues it again.
QUEUED_STALE_AFTER = dt.timedelta(minutes=20)
# A digest lists this many notices; the rest are counted and left to the app.
DIGEST_MAX_ITEMS = 50

URL_MAX_LENGTH = Notification._meta.get_field("url").max_length or 0
REFERENCE_MAX_LENGTH = Notification._meta.get_field("reference").max_length or 0
TITLE_MAX_LENGTH = Notification._meta.get_field("title").max_length or 0

_ROUTE_OF_CHANNEL = {
    Channel.IMMEDIATE: Route.IMMEDIATE,
    Channel.DIGEST: Route.DIGEST,
    Channel.IN_APP: Route.IN_APP,
}


# --- Sending notices ------------------------------------------------------------------------


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: StrOrPromise,
    body: StrOrPromise = "",
    url: str = "",
    priority: str = Priority.NORMAL,
    unit: Unit | None = None,
    reference: str = "",
) -> list[Notification]:
    """Give each recipient a notice, by the channel they chose for the kind's group.

    Rows are created in bulk: the number of queries does not grow with the recipients.
    ``title`` and ``body`` may be lazy translations; each recipient then gets them in their
    own language. ``url`` is a path inside Serentak ("/content/42/") or an http(s) URL.
    Single-notice emails are queued (``tasks.send_email``) once the transaction commits.
    Returns the notices created (none for people who switched the group off).
    """
    spec = kind_get(kind)
    if priority not in Priority.values:
        raise ValueError(f"unknown priority {priority!r}")
    if url and not url.startswith(("/", "https://", "http://")):
        raise ValueError(f"a notification link must be a path or an http(s) URL: {url!r}")
    if len(url) > URL_MAX_LENGTH or len(reference) > REFERENCE_MAX_LENGTH:
        raise ValueError("the notification link or reference is too long")
    people: dict[int, User] = {}
    for person in recipients:
        if person.is_active:
            people.setdefault(person.pk, person)
    if not people:
        return []

    chosen = channels_chosen(user_ids=people, group=spec.group)
    routes: dict[int, Route] = {}
    for pk, person in people.items():
        channel = channel_resolve(kind=spec, priority=priority, chosen=chosen.get(pk))
        if channel == Channel.OFF:
            continue
        route = _ROUTE_OF_CHANNEL[channel]
        routes[pk] = route if person.email or route == Route.IN_APP else Route.IN_APP

    now = timezone.now()
    wanting_email = [pk for pk, route in routes.items() if route == Route.IMMEDIATE]
    if wanting_email:
        recent = _emails_since(user_ids=wanting_email, since=now - EMAIL_FLOOD_WINDOW)
        for pk in wanting_email:
            if recent.get(pk, 0) >= EMAIL_FLOOD_LIMIT:
                routes[pk] = Route.DIGEST

    deliveries = {
        delivery.recipient_id: delivery
        for delivery in EmailDelivery.objects.bulk_create(
            [
                EmailDelivery(
                    recipient_id=pk, to=people[pk].email, kind=EmailKind.IMMEDIATE, created_at=now
                )
                for pk, route in routes.items()
                if route == Route.IMMEDIATE
            ]
        )
    }
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=spec.code,
                title=_in_language(title, people[pk])[:TITLE_MAX_LENGTH],
                body=_in_language(body, people[pk]),
                url=url,
                unit=unit,
                reference=reference,
                priority=priority,
                route=route,
                email_delivery=deliveries.get(pk),
                created_at=now,
            )
            for pk, route in routes.items()
        ],
        batch_size=500,
    )
    for delivery in deliveries.values():
        _queue_email(delivery.pk)
    return notifications


def _in_language(text: StrOrPromise, person: User) -> str:
    if isinstance(text, Promise):
        with translation.override(_language_of(person)):
            return str(text)
    return str(text)


def _language_of(person: User) -> str:
    return person.language or settings.LANGUAGE_CODE


def _emails_since(*, user_ids: list[int], since: dt.datetime) -> dict[int, int]:
    rows = (
        EmailDelivery.objects.filter(
            recipient_id__in=user_ids, kind=EmailKind.IMMEDIATE, created_at__gte=since
        )
        .order_by()
        .values("recipient_id")
        .annotate(count=Count("id"))
        .values_list("recipient_id", "count")
    )
    return dict(rows)


def _queue_email(delivery_id: int) -> None:
    # robust: a broker that is down must not break the request that made the notice; the
    # row stays queued and the digest run queues it again (email_deliveries_requeue_stale).
    transaction.on_commit(partial(_send_email_later, delivery_id), robust=True)


def _send_email_later(delivery_id: int) -> None:
    from serentak.notifications.tasks import send_email

    send_email.delay(delivery_id)


# --- Reading --------------------------------------------------------------------------------


def notifications_mark_read(
    *, user: User, ids: Iterable[int], now: dt.datetime | None = None
) -> int:
    """Mark the person's own notices among ``ids`` read; others' ids are ignored."""
    return Notification.objects.filter(
        recipient=user, pk__in=list(ids), read_at__isnull=True
    ).update(read_at=now or timezone.now())


def notifications_mark_all_read(*, user: User, now: dt.datetime | None = None) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


# --- Preferences ----------------------------------------------------------------------------


def preference_set(*, user: User, group: str, channel: str) -> NotificationPreference | None:
    """Choose the channel for one group of kinds; ``""`` goes back to the default."""
    try:
        group_get(group)
    except KeyError:
        raise ValidationError(_("Unknown kind of notification.")) from None
    if not channel:
        NotificationPreference.objects.filter(user=user, group=group).delete()
        return None
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, group=group, defaults={"channel": channel}
    )
    return preference


def digest_hour_set(*, user: User, hour: int) -> DigestSchedule:
    """The hour (0-23, the person's unit time) their daily digest goes out."""
    if not 0 <= hour <= 23:
        raise ValidationError(_("Choose an hour between 0 and 23."))
    schedule, _created = DigestSchedule.objects.update_or_create(
        user=user, defaults={"digest_hour": hour}
    )
    return schedule


@transaction.atomic
def preferences_save(*, user: User, channels: Mapping[str, str], digest_hour: int) -> None:
    """Save the preferences page: a channel (or ``""``) per group, and the digest hour."""
    for group, channel in channels.items():
        preference_set(user=user, group=group, channel=channel)
    digest_hour_set(user=user, hour=digest_hour)


# --- Digests --------------------------------------------------------------------------------


def digest_due_at(*, now: dt.datetime, zone: str, hour: int) -> dt.datetime:
    """The latest moment, at or before ``now``, that it was ``hour`` o'clock in ``zone``."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    due = dt.datetime.combine(today, dt.time(hour), tzinfo=tz)
    if due > now:
        due = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(hour), tzinfo=tz)
    return due


def digests_send_due(*, now: dt.datetime | None = None) -> list[int]:
    """Queue one digest email for each person whose digest hour has come; their ids.

    A person is due when their local digest hour has passed since their last digest and
    they have unread notices waiting that arrived before that hour (later ones wait for the
    next day). Each digest is claimed by moving ``last_digest_at`` forward with a
    conditional UPDATE, so two runs at once never send the same digest twice. Runs every
    15 minutes (``tasks.send_due_digests``); a run that was missed is caught up by the next.
    """
    now = now or timezone.now()
    oldest_waiting: dict[int, dt.datetime] = dict(
        Notification.objects.filter(
            route=Route.DIGEST, email_delivery__isnull=True, read_at__isnull=True
        )
        .order_by()
        .values("recipient_id")
        .annotate(oldest=Min("created_at"))
        .values_list("recipient_id", "oldest")
    )
    if not oldest_waiting:
        return []
    schedules = DigestSchedule.objects.in_bulk(list(oldest_waiting))
    missing = [DigestSchedule(user_id=pk) for pk in oldest_waiting if pk not in schedules]
    if missing:
        DigestSchedule.objects.bulk_create(missing, ignore_conflicts=True)
        schedules.update({schedule.user_id: schedule for schedule in missing})
    zones = people_timezones(user_ids=oldest_waiting)
    people = User.objects.filter(is_active=True).exclude(email="").in_bulk(list(oldest_waiting))

    queued = []
    for pk, oldest in oldest_waiting.items():
        person = people.get(pk)
        if person is None:
            continue  # deactivated or without an address: the notices stay in the app
        schedule = schedules[pk]
        due_at = digest_due_at(now=now, zone=zones[pk], hour=schedule.digest_hour)
        if oldest > due_at:
            continue
        if schedule.last_digest_at is not None and schedule.last_digest_at >= due_at:
            continue
        delivery = _digest_claim(person=person, due_at=due_at, now=now)
        if delivery is not None:
            queued.append(delivery.pk)
    if queued:
        logger.info("queued %d digest(s)", len(queued))
    return queued


@transaction.atomic
def _digest_claim(*, person: User, due_at: dt.datetime, now: dt.datetime) -> EmailDelivery | None:
    claimed = (
        DigestSchedule.objects.filter(pk=person.pk)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=due_at))
        .update(last_digest_at=now)
    )
    if not claimed:
        return None  # another run got there first
    delivery = EmailDelivery.objects.create(
        recipient=person, to=person.email, kind=EmailKind.DIGEST, created_at=now
    )
    attached = Notification.objects.filter(
        recipient=person, route=Route.DIGEST, email_delivery__isnull=True, read_at__isnull=True
    ).update(email_delivery=delivery)
    if not attached:
        # Read in the app since we looked: nothing to send.
        delivery.delete()
        return None
    _queue_email(delivery.pk)
    return delivery


# --- Emails ---------------------------------------------------------------------------------


def email_send(*, delivery_id: int) -> EmailDelivery:
    """Send one queued email (a single notice or a digest) and record the outcome.

    The delivery is claimed with a conditional UPDATE (``queued``, or ``sending`` for longer
    than ``SENDING_STALE_AFTER``, and attempts left), so a task delivered twice sends once.
    An error in ``EMAIL_RETRYABLE_ERRORS`` puts it back to ``queued`` while attempts
    remain, any other error or the last attempt marks it ``failed``; either way the error is
    raised again for the task to retry or report.
    """
    now = timezone.now()
    claimable = Q(status=EmailStatus.QUEUED) | Q(
        status=EmailStatus.SENDING, started_at__lt=now - SENDING_STALE_AFTER
    )
    claimed = EmailDelivery.objects.filter(
        claimable, pk=delivery_id, attempts__lt=EMAIL_MAX_ATTEMPTS
    ).update(status=EmailStatus.SENDING, attempts=F("attempts") + 1, started_at=now)
    delivery = EmailDelivery.objects.select_related("recipient").get(pk=delivery_id)
    if not claimed:
        return delivery  # sent, failed, or another worker has it

    notices = list(delivery.notifications.select_related("unit").order_by("created_at", "id"))
    if not notices or not delivery.recipient.is_active:
        delivery.status = EmailStatus.FAILED
        delivery.last_error = "the person was deactivated" if notices else "no notices left to send"
        delivery.save(update_fields=["status", "last_error", "updated_at"])
        return delivery

    try:
        message = _email_message(delivery=delivery, notices=notices)
        message.connection = get_connection(
            timeout=getattr(settings, "EMAIL_TIMEOUT", None) or EMAIL_SOCKET_TIMEOUT
        )
        delivery.subject = str(message.subject)[:255]
        message.send()
    except Exception as exc:
        retry = isinstance(exc, EMAIL_RETRYABLE_ERRORS) and delivery.attempts < EMAIL_MAX_ATTEMPTS
        delivery.status = EmailStatus.QUEUED if retry else EmailStatus.FAILED
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        delivery.save(update_fields=["status", "subject", "last_error", "updated_at"])
        logger.warning(
            "email %s to %s failed (attempt %d): %s",
            delivery.pk,
            delivery.to,
            delivery.attempts,
            delivery.last_error,
        )
        raise

    sent_at = timezone.now()
    delivery.status = EmailStatus.SENT
    delivery.sent_at = sent_at
    delivery.last_error = ""
    delivery.save(update_fields=["status", "subject", "sent_at", "last_error", "updated_at"])
    Notification.objects.filter(email_delivery=delivery).update(emailed_at=sent_at)
    return delivery


def email_deliveries_requeue_stale(
    *, now: dt.datetime | None = None, limit: int = 500
) -> list[int]:
    """Queue again the emails whose task was lost (broker down, worker killed); their ids."""
    now = now or timezone.now()
    stale = (
        EmailDelivery.objects.filter(attempts__lt=EMAIL_MAX_ATTEMPTS)
        .filter(
            Q(status=EmailStatus.QUEUED, updated_at__lt=now - QUEUED_STALE_AFTER)
            | Q(status=EmailStatus.SENDING, started_at__lt=now - SENDING_STALE_AFTER)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(stale)
    for pk in ids:
        _queue_email(pk)
    return ids


def absolute_url(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def _email_message(*, delivery: EmailDelivery, notices: list[Notification]) -> EmailMessage:
    """The email in the recipient's language, with times in their unit's time zone."""
    person = delivery.recipient
    zone = people_timezones(user_ids=[person.pk])[person.pk]
    with translation.override(_language_of(person)), timezone.override(zone):
        context = {
            "person": person,
            "zone": zone,
            "zone_label": zone_label(zone),
            "list_url": absolute_url(reverse("notifications:list")),
            "preferences_url": absolute_url(reverse("notifications:preferences")),
        }
        if delivery.kind == EmailKind.IMMEDIATE:
            notice = notices[0]
            subject = _("Serentak: %(title)s") % {"title": notice.title}
            context["notice"] = notice
            context["notice_url"] = absolute_url(notice.url) if notice.url else ""
            body = render_to_string("notifications/email/immediate.txt", context)
        else:
            count = len(notices)
            subject = ngettext(
                "Serentak: %(count)d new notification",
                "Serentak: %(count)d new notifications",
                count,
            ) % {"count": count}
            context["items"] = [
                (notice, absolute_url(notice.url) if notice.url else "")
                for notice in notices[:DIGEST_MAX_ITEMS]
            ]
            context["more"] = max(0, count - DIGEST_MAX_ITEMS)
            body = render_to_string("notifications/email/digest.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[delivery.to],
        headers={"Auto-Submitted": "auto-generated"},
    )

"""The blue-check campaign: which Pages are ready, the batches the centre submits, their fate.

Meta verifies government Pages on a request from the institution, so the centre gathers the
eligible Pages into a batch, exports it for the central team's submission (XLSX and CSV),
and follows each Page's status, refreshed from the Page's ``verification_status``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from serentak.accounts.models import User
from serentak.core.services import changelog_record
from serentak.graph.api import GraphClient, run_sync
from serentak.graph.client import BatchOp
from serentak.graph.config import GraphConfig
from serentak.org.models import Institution, Unit
from serentak.org.scoping import Action, user_is_central
from serentak.pages.models import (
    Finding,
    MatchStatus,
    Presence,
    PresenceKind,
    Severity,
    VerificationBatch,
    VerificationRequest,
    VerificationStatus,
)
from serentak.pages.services.tokens import token_read

ACTIVE_WITHIN = timedelta(days=30)
GO_ID = re.compile(r"^https?://([a-z0-9-]+\.)*go\.id(/|$)", re.IGNORECASE)

REASONS = {
    "not_official": gettext_lazy("not the unit's confirmed official Page"),
    "name": gettext_lazy("the name is not the official name"),
    "about": gettext_lazy("no description (about)"),
    "picture": gettext_lazy("no profile picture"),
    "cover": gettext_lazy("no cover photo"),
    "website": gettext_lazy("no official .go.id website"),
    "unpublished": gettext_lazy("the Page is unpublished"),
    "inactive": gettext_lazy("no post in the last 30 days"),
    "blockers": gettext_lazy("open blocking findings in the audit"),
    "verified": gettext_lazy("already verified"),
    "requested": gettext_lazy("already requested"),
}


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def eligibility(
    presence: Presence,
    *,
    blocked_presences: set[int] | None = None,
    blocked_units: set[int] | None = None,
    requested: set[int] | None = None,
) -> list[str]:
    """Why this Page cannot be put forward for the blue check (empty: it can)."""
    reasons = []
    unit = presence.unit
    if (
        presence.kind != PresenceKind.PAGE
        or not presence.is_official
        or presence.match_status != MatchStatus.CONFIRMED
        or unit is None
    ):
        return ["not_official"]
    if presence.verification_status == "blue_verified":
        return ["verified"]
    if requested is not None and presence.pk in requested:
        return ["requested"]
    if not _same_name(presence.name, unit.name):
        reasons.append("name")
    if not presence.about.strip():
        reasons.append("about")
    if not presence.picture_url or presence.picture_is_silhouette:
        reasons.append("picture")
    if presence.has_cover is not True:
        reasons.append("cover")
    if not GO_ID.match(presence.website.strip()):
        reasons.append("website")
    if presence.is_published is False:
        reasons.append("unpublished")
    if presence.last_post_at is None or presence.last_post_at < timezone.now() - ACTIVE_WITHIN:
        reasons.append("inactive")
    if presence.pk in (blocked_presences or set()) or unit.pk in (blocked_units or set()):
        reasons.append("blockers")
    return reasons


@dataclass(frozen=True)
class Candidate:
    presence: Presence
    reasons: list[str]

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def reason_texts(self) -> list[str]:
        return [str(REASONS[reason]) for reason in self.reasons]


def verification_candidates(*, user: Any, institution: Institution) -> list[Candidate]:
    """Every official Page the user may see, with its eligibility (three queries in all)."""
    presences = list(
        Presence.objects.for_user(user, Action.VIEW)
        .filter(institution=institution, kind=PresenceKind.PAGE, is_official=True)
        .select_related("unit")
        .order_by("unit__path")
    )
    blocked_rows = Finding.objects.open().filter(
        severity=Severity.BLOCKER, unit__institution=institution
    )
    blocked_presences = {p for p in blocked_rows.values_list("presence_id", flat=True) if p}
    blocked_units = set(
        blocked_rows.filter(presence__isnull=True).values_list("unit_id", flat=True)
    )
    requested = set(
        VerificationRequest.objects.filter(
            presence__institution=institution, status=VerificationStatus.REQUESTED
        ).values_list("presence_id", flat=True)
    )
    return [
        Candidate(
            presence,
            eligibility(
                presence,
                blocked_presences=blocked_presences,
                blocked_units=blocked_units,
                requested=requested,
            ),
        )
        for presence in presences
    ]


def _require_central(actor: User, institution: Institution) -> None:
    if not user_is_central(actor, institution):
        raise PermissionDenied


@transaction.atomic
def verification_batch_create(
    *, actor: User, institution: Institution, presence_ids: list[int], name: str = ""
) -> VerificationBatch:
    """Put eligible Pages into a new request batch; refuses any Page that is not eligible."""
    _require_central(actor, institution)
    if not presence_ids:
        raise ValidationError(_("Choose at least one Page."))
    candidates = {
        c.presence.pk: c for c in verification_candidates(user=actor, institution=institution)
    }
    refused = [pid for pid in presence_ids if pid not in candidates or not candidates[pid].eligible]
    if refused:
        names = ", ".join(
            str(candidates[pid].presence) if pid in candidates else str(pid) for pid in refused
        )
        raise ValidationError(_("These Pages are not eligible: %(names)s.") % {"names": names})
    batch = VerificationBatch.objects.create(
        institution=institution,
        name=name.strip() or _("Blue check %(date)s") % {"date": timezone.localdate().isoformat()},
        created_by=actor,
    )
    for pid in presence_ids:
        VerificationRequest.objects.create(batch=batch, presence_id=pid)
        changelog_record(
            obj=candidates[pid].presence,
            action="update",
            actor=actor,
            source="blue check",
            changes={"verification": [None, VerificationStatus.REQUESTED]},
        )
    return batch


@transaction.atomic
def verification_status_set(
    *, actor: User, request: VerificationRequest, status: str
) -> VerificationRequest:
    _require_central(actor, request.batch.institution)
    if status not in VerificationStatus.values:
        raise ValidationError(_("Unknown status."))
    if request.status != status:
        changelog_record(
            obj=request.presence,
            action="update",
            actor=actor,
            source="blue check",
            changes={"verification": [request.status, status]},
        )
        request.status = status
        request.status_changed_at = timezone.now()
        request.save(update_fields=["status", "status_changed_at"])
    return request


def verification_refresh(*, institution: Institution, config: GraphConfig | None = None) -> int:
    """Read ``verification_status`` of every requested Page; return how many changed."""
    open_requests = list(
        VerificationRequest.objects.filter(
            batch__institution=institution, status=VerificationStatus.REQUESTED
        ).select_related("presence")
    )
    ops, owners = [], []
    for request in open_requests:
        token = token_read(presence=request.presence)
        if token:
            ops.append(
                BatchOp(
                    "GET",
                    f"{request.presence.page_id}?fields=verification_status",
                    page_id=request.presence.page_id,
                    token=token,
                )
            )
            owners.append(request)
    if not ops:
        return 0
    config = config or GraphConfig.from_settings()

    async def fetch() -> list[Any]:
        async with GraphClient(config, timeout=30.0) as graph:
            return await graph.batch(ops, token=config.system_user_token or ops[0].token or "")

    changed = 0
    now = timezone.now()
    for request, result in zip(owners, run_sync(fetch()), strict=True):
        if not result.ok:
            continue
        status = str(result.data.get("verification_status", ""))
        with transaction.atomic():
            presence = request.presence
            if presence.verification_status != status:
                presence.verification_status = status
                presence.save(update_fields=["verification_status", "updated_at"])
            request.refreshed_at = now
            fields = ["refreshed_at"]
            if status == "blue_verified":
                request.status = VerificationStatus.VERIFIED
                request.status_changed_at = now
                fields += ["status", "status_changed_at"]
                changed += 1
                changelog_record(
                    obj=presence,
                    action="update",
                    source="blue check",
                    changes={
                        "verification": [VerificationStatus.REQUESTED, VerificationStatus.VERIFIED]
                    },
                )
            request.save(update_fields=fields)
    return changed


@transaction.atomic
def verification_requests_sync(*, institution: Institution) -> int:
    """Mark requested Pages verified once their stored ``verification_status`` says so."""
    now = timezone.now()
    verified = list(
        VerificationRequest.objects.filter(
            batch__institution=institution,
            status=VerificationStatus.REQUESTED,
            presence__verification_status="blue_verified",
        ).select_related("presence")
    )
    for request in verified:
        request.status = VerificationStatus.VERIFIED
        request.status_changed_at = request.refreshed_at = now
        request.save(update_fields=["status", "status_changed_at", "refreshed_at"])
        changelog_record(
            obj=request.presence,
            action="update",
            source="audit",
            changes={"verification": [VerificationStatus.REQUESTED, VerificationStatus.VERIFIED]},
        )
    return len(verified)


EXPORT_COLUMNS = (
    ("unit_code", gettext_lazy("Unit code")),
    ("unit_name", gettext_lazy("Unit")),
    ("province", gettext_lazy("Province")),
    ("page_name", gettext_lazy("Page name")),
    ("page_id", gettext_lazy("Page ID")),
    ("page_url", gettext_lazy("Page URL")),
    ("website", gettext_lazy("Official website")),
    ("followers", gettext_lazy("Followers")),
    ("category", gettext_lazy("Category")),
    ("contact_email", gettext_lazy("PR desk email")),
    ("contact_phone", gettext_lazy("PR desk phone")),
    ("status", gettext_lazy("Status")),
)


def _export_rows(batch: VerificationBatch) -> list[dict[str, Any]]:
    requests = batch.requests.select_related("presence__unit").order_by("presence__unit__path")
    provinces = {
        u.path: u.name
        for u in Unit.objects.filter(institution=batch.institution, depth=2).only("path", "name")
    }
    rows = []
    for request in requests:
        presence = request.presence
        unit = presence.unit
        province = provinces.get(unit.path[: 2 * Unit.steplen], "") if unit else ""
        rows.append(
            {
                "unit_code": unit.code if unit else "",
                "unit_name": unit.name if unit else "",
                "province": province,
                "page_name": presence.name,
                "page_id": presence.page_id,
                "page_url": presence.link or presence.canonical_url,
                "website": presence.website,
                "followers": presence.followers_count or presence.fan_count or "",
                "category": presence.category,
                "contact_email": ", ".join(unit.emails) if unit else "",
                "contact_phone": ", ".join(unit.phones) if unit else "",
                "status": request.get_status_display(),
            }
        )
    return rows


@transaction.atomic
def verification_batch_export(*, actor: User, batch: VerificationBatch, fmt: str) -> bytes:
    """The batch as ``csv`` or ``xlsx`` (codes and ids as text, so Excel keeps them intact)."""
    _require_central(actor, batch.institution)
    rows = _export_rows(batch)
    headers = [str(label) for _, label in EXPORT_COLUMNS]
    keys = [key for key, _ in EXPORT_COLUMNS]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row[key] for key in keys])
        data = ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads it as UTF-8
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Blue check"
        sheet.append(headers)
        for row in rows:
            sheet.append(
                [str(row[key]) if key in {"unit_code", "page_id"} else row[key] for key in keys]
            )
        for column in ("A", "E"):
            for cell in sheet[column]:
                cell.number_format = "@"
        sheet.freeze_panes = "A2"
        buffer_bytes = io.BytesIO()
        book.save(buffer_bytes)
        data = buffer_bytes.getvalue()
    else:
        raise ValidationError(_("Unknown export format."))
    if batch.exported_at is None:
        batch.exported_at = timezone.now()
        batch.save(update_fields=["exported_at"])
    return data

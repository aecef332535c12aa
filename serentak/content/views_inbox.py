"""The unit's side of content: its inbox, adapting a package, and the approvals waiting.

Thin views over ``selectors`` (reads) and ``services`` (writes). What a person may see is
decided by the queryset (``selectors.adaptation_for_user``: 404 for another unit's work);
what they may do by the services, whose ``PermissionDenied`` becomes a 403 and whose
``ValidationError`` is shown on the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from serentak.accounts.models import User
from serentak.content import selectors
from serentak.content.forms_inbox import AdaptationForm, ReviewForm
from serentak.content.models import (
    Adaptation,
    AdaptationStatus,
    AdaptationTransition,
    OriginalityPolicy,
    Package,
)
from serentak.content.originality import Band, originality, originality_band
from serentak.content.services import (
    EDITABLE,
    adaptation_approve,
    adaptation_request_changes,
    adaptation_save,
    adaptation_submit,
)
from serentak.content.templating import template_blocks
from serentak.core.http import AuthedRequest
from serentak.org.scoping import Action, top_grants, user_can

PER_PAGE = 50
# Facebook folds a long post behind "See more" after about this many characters.
PREVIEW_CUT = 480
ALL = "all"

BAND_LABELS: dict[str, Promise] = {
    "copied": gettext_lazy("copied as is"),
    "light": gettext_lazy("lightly edited"),
    "localised": gettext_lazy("truly localised"),
}


# --- What the templates show --------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """The originality of a version, and what the package's policy says about it."""

    percent: int
    band: Band
    label: Promise
    policy: str
    threshold: int  # percent

    @property
    def below(self) -> bool:
        return self.policy != OriginalityPolicy.NONE and self.percent < self.threshold

    @property
    def blocks_submission(self) -> bool:
        return self.below and self.policy == OriginalityPolicy.REQUIRE


def _score(package: Package, value: float) -> Score:
    band = originality_band(value)
    return Score(
        percent=int(value * 100),  # floor: 29.9 % never shows as meeting a 30 % threshold
        band=band,
        label=BAND_LABELS[band],
        policy=package.originality_policy,
        threshold=round(package.originality_threshold * 100),
    )


@dataclass(frozen=True)
class Preview:
    """The post as Facebook shows it: the Page, the text folded after ``PREVIEW_CUT``, the link."""

    page_name: str
    head: str
    tail: str
    link: str


def post_preview(*, page_name: str, text: str, link: str) -> Preview:
    text = text.strip()
    if len(text) <= PREVIEW_CUT:
        return Preview(page_name, text, "", link)
    cut = text.rfind(" ", 0, PREVIEW_CUT)
    cut = cut if cut > PREVIEW_CUT // 2 else PREVIEW_CUT
    return Preview(page_name, text[:cut].rstrip(), text[cut:].lstrip(), link)


@dataclass(frozen=True)
class InboxRow:
    adaptation: Adaptation
    band: Band
    band_label: Promise
    overdue: bool


@dataclass(frozen=True)
class ApprovalRow:
    adaptation: Adaptation
    band: Band
    band_label: Promise
    submitted_by: User | None


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    actor: User | None
    from_label: str
    to_label: str
    comment: str


def _status_label(status: str) -> str:
    return str(AdaptationStatus(status).label) if status in AdaptationStatus.values else status


def _is_overdue(adaptation: Adaptation, now: dt.datetime) -> bool:
    deadline = adaptation.package.deadline
    return deadline is not None and deadline < now and adaptation.status in EDITABLE


def _is_htmx(request: AuthedRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _sees_several_units(user: User) -> bool:
    tops = top_grants(user)
    return user.is_superuser or len(tops) > 1 or any(grant.subtree for grant in tops)


# --- The inbox ----------------------------------------------------------------------------


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    """The unit's adaptations in work order, what is waiting, filtered by status."""
    status = request.GET.get("status", "")
    if status == ALL:
        statuses: Any = AdaptationStatus.values
    elif status in AdaptationStatus.values:
        statuses = status
    else:
        status, statuses = "", None  # the open ones
    page = Paginator(selectors.inbox(user=request.user, status=statuses), PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [
        InboxRow(
            adaptation=adaptation,
            band=originality_band(adaptation.originality),
            band_label=BAND_LABELS[originality_band(adaptation.originality)],
            overdue=_is_overdue(adaptation, now),
        )
        for adaptation in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "statuses": AdaptationStatus.choices,
        "show_unit": _sees_several_units(request.user),
    }
    if _is_htmx(request):
        return render(request, "content/partials/inbox_list.html", context)
    context["counts"] = selectors.inbox_counts(user=request.user, now=now)
    return render(request, "content/inbox.html", context)


# --- One adaptation -----------------------------------------------------------------------


def _adaptation_or_404(request: AuthedRequest, pk: int) -> Adaptation:
    try:
        return selectors.adaptation_for_user(user=request.user, pk=pk)
    except Adaptation.DoesNotExist as exc:
        raise Http404(_("No such adaptation.")) from exc


def _initial_form(adaptation: Adaptation) -> AdaptationForm:
    initial: dict[str, str] = {"text": adaptation.text}
    initial.update({f"block_{name}": value for name, value in (adaptation.blocks or {}).items()})
    return AdaptationForm(initial=initial, blocks=template_blocks(adaptation.package.body))


def _page(
    request: AuthedRequest,
    adaptation: Adaptation,
    *,
    form: AdaptationForm | None = None,
    review_form: ReviewForm | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    """The adaptation page; a form that failed comes back with what the person wrote."""
    package, unit, user = adaptation.package, adaptation.unit, request.user
    blocks = template_blocks(package.body)
    transitions: list[AdaptationTransition] = selectors.adaptation_history(adaptation=adaptation)
    submitted = [t for t in transitions if t.to_status == AdaptationStatus.SUBMITTED]
    submitter_id = submitted[-1].actor_id if submitted else None
    can_edit = adaptation.status in EDITABLE and user_can(user, Action.WRITE, unit)
    can_review = (
        adaptation.status == AdaptationStatus.SUBMITTED
        and selectors.user_may_review(user, institution=package.institution, unit=unit)
        and submitter_id != user.pk
    )
    form = form or _initial_form(adaptation)
    photos = {photo.block: photo for photo in adaptation.images.all()}
    text = adaptation.text
    if form.is_bound and form.is_valid():
        text = form.cleaned_data["text"]
    context = {
        "adaptation": adaptation,
        "package": package,
        "unit": unit,
        "form": form,
        "review_form": review_form or ReviewForm(),
        "errors": errors or [],
        "can_edit": can_edit,
        "can_review": can_review,
        "own_submission": adaptation.status == AdaptationStatus.SUBMITTED
        and submitter_id == user.pk,
        "photo_blocks": [
            (block, photos.get(block.name)) for block in blocks if block.kind == "photo"
        ],
        "score": _score(package, originality(adaptation.rendered, text)),
        "preview": post_preview(page_name=unit.name, text=text, link=package.link),
        "overdue": _is_overdue(adaptation, timezone.now()),
        "history": [
            HistoryRow(
                at=t.at,
                actor=t.actor,
                from_label=_status_label(t.from_status) if t.from_status else "",
                to_label=_status_label(t.to_status),
                comment=t.comment,
            )
            for t in transitions
        ],
    }
    return render(request, "content/adaptation.html", context)


@login_required
def adaptation(request: AuthedRequest, pk: int) -> HttpResponse:
    return _page(request, _adaptation_or_404(request, pk))


@login_required
@require_POST
def adaptation_originality(request: AuthedRequest, pk: int) -> HttpResponse:
    """The live score (and, out of band, the preview) of the text being typed; saves nothing."""
    current = _adaptation_or_404(request, pk)
    form = AdaptationForm(request.POST, blocks=[])
    text = form.cleaned_data["text"] if form.is_valid() else ""
    context = {
        "package": current.package,
        "score": _score(current.package, originality(current.rendered, text)),
        "preview": post_preview(page_name=current.unit.name, text=text, link=current.package.link),
        "oob": True,
    }
    return render(request, "content/partials/adaptation_originality.html", context)


def _posted_form(request: AuthedRequest, adaptation: Adaptation) -> AdaptationForm:
    form = AdaptationForm(request.POST, blocks=template_blocks(adaptation.package.body))
    form.is_valid()  # every field is optional: this only cleans
    return form


@login_required
@require_POST
def adaptation_save_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save the version; with ``compose``, rebuild it from the package and the blocks."""
    current = _adaptation_or_404(request, pk)
    form = _posted_form(request, current)
    compose = "compose" in request.POST
    try:
        adaptation_save(
            actor=request.user,
            adaptation=current,
            text=None if compose else form.cleaned_data["text"],
            blocks=form.block_values(),
        )
    except ValidationError as exc:
        return _page(request, current, form=form, errors=exc.messages)
    messages.success(request, _("Your version is saved."))
    return redirect("content:adaptation", pk=current.pk)


@login_required
@require_POST
def adaptation_submit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save what the form holds (when it comes with the text), then submit it."""
    current = _adaptation_or_404(request, pk)
    form: AdaptationForm | None = None
    try:
        if "text" in request.POST:
            form = _posted_form(request, current)
            current = adaptation_save(
                actor=request.user,
                adaptation=current,
                text=form.cleaned_data["text"],
                blocks=form.block_values(),
            )
        current = adaptation_submit(
            actor=request.user,
            adaptation=current,
            acknowledge_warnings=request.POST.get("acknowledge") == "1",
        )
    except ValidationError as exc:
        return _page(request, current, form=form, errors=exc.messages)
    if current.status == AdaptationStatus.APPROVED:
        messages.success(request, _("Submitted and approved at once."))
    else:
        messages.success(request, _("Submitted for approval."))
    return redirect("content:adaptation", pk=current.pk)


# --- Approvals ----------------------------------------------------------------------------


@login_required
def approvals(request: AuthedRequest) -> HttpResponse:
    """Submitted adaptations waiting for this person's review, in work order."""
    page = Paginator(selectors.approvals_waiting(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    waiting = list(page.object_list)
    submitter_ids = {getattr(a, "submitted_by_id", None) for a in waiting} - {None}
    submitters = User.objects.in_bulk(submitter_ids) if submitter_ids else {}
    rows = [
        ApprovalRow(
            adaptation=a,
            band=originality_band(a.originality),
            band_label=BAND_LABELS[originality_band(a.originality)],
            submitted_by=submitters.get(getattr(a, "submitted_by_id", None)),
        )
        for a in waiting
    ]
    return render(request, "content/approvals.html", {"page": page, "rows": rows})


@login_required
@require_POST
def adaptation_approve_view(request: AuthedRequest, pk: int) -> HttpResponse:
    current = _adaptation_or_404(request, pk)
    review = ReviewForm(request.POST)
    review.is_valid()
    try:
        current = adaptation_approve(
            actor=request.user, adaptation=current, comment=review.comment_text()
        )
    except ValidationError as exc:
        return _page(request, current, review_form=review, errors=exc.messages)
    messages.success(
        request,
        _("Approved: %(unit)s · %(title)s") % {"unit": current.unit, "title": current.package},
    )
    return redirect("content:approvals")


@login_required
@require_POST
def adaptation_changes_view(request: AuthedRequest, pk: int) -> HttpResponse:
    current = _adaptation_or_404(request, pk)
    review = ReviewForm(request.POST)
    review.is_valid()
    try:
        current = adaptation_request_changes(
            actor=request.user, adaptation=current, comment=review.comment_text()
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "comment":
            review.add_error("comment", exc)
            return _page(request, current, review_form=review)
        return _page(request, current, review_form=review, errors=exc.messages)
    messages.success(
        request,
        _("Sent back for changes: %(unit)s · %(title)s")
        % {"unit": current.unit, "title": current.package},
    )
    return redirect("content:approvals")


@login_required
@require_POST
def adaptation_image(request: AuthedRequest, pk: int) -> HttpResponse:
    """Upload the unit's photo for one photo block (it replaces an earlier one)."""
    from serentak.content.images import image_prepare
    from serentak.content.services import adaptation_image_set

    current = _adaptation_or_404(request, pk)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("Choose a photo to upload."))
        return redirect("content:adaptation", pk=pk)
    try:
        prepared = image_prepare(upload, name=upload.name or "photo")
        adaptation_image_set(
            actor=request.user,
            adaptation=current,
            block=request.POST.get("block", ""),
            image=prepared,
            alt_text=request.POST.get("alt_text", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("Photo saved."))
    return redirect("content:adaptation", pk=pk)

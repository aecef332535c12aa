from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from serentak.core.http import AuthedRequest
from serentak.org.models import Institution
from serentak.pages import selectors
from serentak.pages.models import VerificationBatch, VerificationRequest, VerificationStatus
from serentak.pages.services.verification import (
    verification_batch_create,
    verification_batch_export,
    verification_candidates,
    verification_status_set,
)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _central_institution(request: AuthedRequest, slug: str) -> Institution:
    institution = get_object_or_404(Institution, slug=slug)
    if not selectors.is_central(user=request.user, institution=institution):
        raise Http404
    return institution


@login_required
def campaign(request: AuthedRequest, institution: str) -> HttpResponse:
    """Eligible Pages to put forward, and the batches already sent (the centre only)."""
    inst = _central_institution(request, institution)
    candidates = verification_candidates(user=request.user, institution=inst)
    batches = VerificationBatch.objects.filter(institution=inst).prefetch_related("requests")
    return render(
        request,
        "pages/verification.html",
        {
            "institution": inst,
            "eligible": [c for c in candidates if c.eligible],
            "not_eligible": [c for c in candidates if not c.eligible],
            "batches": batches,
        },
    )


@login_required
@require_POST
def batch_create(request: AuthedRequest, institution: str) -> HttpResponse:
    inst = _central_institution(request, institution)
    ids = [int(raw) for raw in request.POST.getlist("presence") if raw.isdigit()]
    try:
        batch = verification_batch_create(
            actor=request.user,
            institution=inst,
            presence_ids=ids,
            name=request.POST.get("name", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pages:verification", institution=inst.slug)
    messages.success(request, _("Batch created with %(count)s Pages.") % {"count": len(ids)})
    return redirect("pages:verification-batch", pk=batch.pk)


def _batch_or_404(request: AuthedRequest, pk: int) -> VerificationBatch:
    batch = get_object_or_404(VerificationBatch.objects.select_related("institution"), pk=pk)
    if not selectors.is_central(user=request.user, institution=batch.institution):
        raise Http404
    return batch


@login_required
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    requests = batch.requests.select_related("presence__unit").order_by("presence__unit__path")
    return render(
        request,
        "pages/verification_batch.html",
        {"batch": batch, "requests": requests, "statuses": VerificationStatus.choices},
    )


@login_required
def batch_export(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    data = verification_batch_export(actor=request.user, batch=batch, fmt=fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="blue-check-{batch.pk}.{fmt}"'
    return response


@login_required
@require_POST
def request_status(request: AuthedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        VerificationRequest.objects.select_related("batch__institution"), pk=pk
    )
    if not selectors.is_central(user=request.user, institution=item.batch.institution):
        raise Http404
    try:
        verification_status_set(
            actor=request.user, request=item, status=request.POST.get("status", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("pages:verification-batch", pk=item.batch_id)

"""Import known Facebook addresses (upload → preview → confirm), and settle a presence's kind.

Importing is for people who may change at least one unit (a central admin for every unit, a
province admin for its subtree); every row is checked against what the person may change.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from serentak.core.http import AuthedRequest
from serentak.org.models import Institution, Unit
from serentak.org.scoping import Action
from serentak.pages.forms_imports import (
    PresenceImportConfirmForm,
    PresenceImportForm,
    PresenceKindForm,
    upload_token,
)
from serentak.pages.models import Presence, PresenceKind
from serentak.pages.services.imports import (
    ImportFailed,
    ImportReport,
    RowsFile,
    presence_set_kind,
    presences_import,
)

TO_SETTLE_LIMIT = 50


def _institutions(request: AuthedRequest) -> list[Institution]:
    """The institutions where the person may change at least one unit; 403 when none."""
    units = Unit.objects.for_user(request.user, Action.CHANGE).filter(is_active=True)
    institutions = list(
        Institution.objects.filter(pk__in=units.values("institution_id")).order_by("name")
    )
    if not institutions:
        raise PermissionDenied
    return institutions


def _partial(request: AuthedRequest, full: str, partial: str) -> str:
    return partial if getattr(request, "htmx", False) else full


def _preview(
    request: AuthedRequest,
    *,
    report: ImportReport,
    institution: Institution,
    file: RowsFile,
) -> HttpResponse:
    token = upload_token(user=request.user, institution=institution, file=file)
    context = {
        "report": report,
        "counts": report.counts,
        "institution": institution,
        "filename": file.filename,
        "token": token,
    }
    template = _partial(request, "pages/import_preview.html", "pages/partials/import_preview.html")
    return render(request, template, context)


@login_required
def presence_import(request: AuthedRequest) -> HttpResponse:
    institutions = _institutions(request)
    to_settle = (
        Presence.objects.for_user(request.user, Action.CHANGE)
        .filter(kind=PresenceKind.UNKNOWN)
        .select_related("unit")
        .order_by("unit__path", "canonical_url")
    )
    context = {
        "form": PresenceImportForm(institutions=institutions),
        "to_settle": to_settle[:TO_SETTLE_LIMIT],
        "to_settle_count": to_settle.count(),
    }
    return render(request, "pages/import.html", context)


@login_required
def presence_import_preview(request: AuthedRequest) -> HttpResponse:
    institutions = _institutions(request)
    if request.method != "POST":
        return redirect("pages:import")
    form = PresenceImportForm(request.POST, request.FILES, institutions=institutions)
    if form.is_valid():
        institution = form.chosen_institution()
        file: RowsFile = form.cleaned_data["file"]
        try:
            report = presences_import(
                institution=institution, rows_source=file, actor=request.user, dry_run=True
            )
        except ImportFailed as exc:
            for problem in exc.problems:
                form.add_error("file", str(problem))
        else:
            return _preview(request, report=report, institution=institution, file=file)
    template = _partial(request, "pages/import.html", "pages/partials/import_upload.html")
    return render(request, template, {"form": form})


@login_required
@require_POST
def presence_import_confirm(request: AuthedRequest) -> HttpResponse:
    institutions = {institution.pk: institution for institution in _institutions(request)}
    form = PresenceImportConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in form.errors.get("upload", []):
            messages.error(request, str(error))
        return redirect("pages:import")
    upload = form.cleaned_data["upload"]
    institution = institutions.get(upload.institution_id)
    if institution is None:
        raise PermissionDenied
    try:
        report = presences_import(
            institution=institution,
            rows_source=upload.file,
            actor=request.user,
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
    except ImportFailed:  # the same bytes were readable at the preview: only if rules changed
        messages.error(request, _("The file can no longer be imported: upload it again."))
        return redirect("pages:import")
    if not report.written:
        messages.error(
            request,
            _("Some rows are no longer valid, so nothing was imported. Check them below."),
        )
        return _preview(request, report=report, institution=institution, file=upload.file)
    counts = report.counts
    text = (
        _(
            "Import done: %(created)d created, %(updated)d updated, %(linked)d linked to a "
            "presence already known, %(unchanged)d unchanged."
        )
        % counts
    )
    if counts["invalid"]:
        skipped = ngettext(
            "%(invalid)d invalid row was skipped.",
            "%(invalid)d invalid rows were skipped.",
            counts["invalid"],
        )
        text += " " + skipped % counts
    messages.success(request, text)
    return redirect("pages:import")


@login_required
def presence_kind(request: AuthedRequest, pk: int) -> HttpResponse:
    presence = get_object_or_404(
        Presence.objects.for_user(request.user, Action.CHANGE).select_related("unit"), pk=pk
    )
    initial = {"kind": presence.kind} if presence.kind != PresenceKind.UNKNOWN else {}
    form = PresenceKindForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            presence_set_kind(actor=request.user, presence=presence, kind=form.cleaned_data["kind"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not getattr(request, "htmx", False):
                messages.success(request, _("Saved."))
                return redirect("pages:presence-kind", pk=presence.pk)
            saved = True
    template = _partial(
        request, "pages/import_presence_kind.html", "pages/partials/import_presence_kind.html"
    )
    return render(request, template, {"presence": presence, "form": form, "saved": saved})

"""Saved views: a person names the filters of a queue URL and applies them later with one click.

A saved view is a display preference of one person, not order state, so it is written here
rather than through `orders.services`; nobody else sees or deletes it.
"""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from oms.roles import role_required
from orders.forms import SavedViewForm
from orders.models import SavedView
from orders.views.common import ORDER_VIEWERS
from orders.views.queues import render_queue


@require_POST
@role_required(*ORDER_VIEWERS)
def saved_view_save(request):
    """Save the current filters under a name; the same name again replaces that view."""
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"The view was not saved: {error}")
        return render_queue(request, QueryDict(request.POST.get("query", "")))
    view, created = SavedView.objects.update_or_create(
        user=request.user,
        name=form.cleaned_data["name"],
        defaults={"query": form.cleaned_data["query"]},
    )
    messages.success(request, f"View “{view.name}” {'saved' if created else 'updated'}.")
    return render_queue(request, QueryDict(view.query))


@require_POST
@role_required(*ORDER_VIEWERS)
def saved_view_delete(request, pk: int):
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    view.delete()
    messages.success(request, f"View “{view.name}” deleted.")
    return render_queue(request, QueryDict(request.POST.get("query", "")))

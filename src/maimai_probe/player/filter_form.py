"""The record pages' filter form, rendered once per page address while no filter is on."""

from typing import Any, Mapping, Optional, Sequence

from flask import current_app
from markupsafe import Markup

#: Where an app keeps its rendered unfiltered forms.
EXTENSION = "maimai_probe.filter_forms"
#: Forms kept at most; past it the app starts again (one per player and page, in practice).
MAX_FORMS = 1024


def filter_form(
    action: str,
    filters: Any,
    size: int,
    default_size: int,
    kept: Optional[Mapping[str, Any]] = None,
    applied: Sequence[Any] = (),
) -> Markup:
    """Return the filter form of records/_macros.html; without filters, rendered only once.

    A page without filters, the one most asked for, shows the same form every time: some
    140 values escaped and a dozen loops, a tenth of a page rendered anew.
    """
    macro = current_app.jinja_env.get_template("records/_macros.html").module.filter_form
    kept = kept or {}
    if filters.is_active():
        return macro(action, filters, size, default_size, kept, applied)
    forms = current_app.extensions.setdefault(EXTENSION, {})
    key = (action, size, default_size, tuple(sorted(kept.items())))
    form = forms.get(key)
    if form is None:
        if len(forms) >= MAX_FORMS:
            forms.clear()
        form = forms[key] = macro(action, filters, size, default_size, kept, applied)
    return form

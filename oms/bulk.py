"""One answer for an action run over many rows, in every list that has a bulk bar.

Fifty orders held used to give fifty-one banners. A bulk action now answers with one message:
"Held 47 of 50; 3 could not be held.", and the refusals, each with its reason, in a
`<details>` list the person opens when they want to know which and why.
"""

from django.contrib import messages
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def bulk_summary(*, done: int, refusals: list[str], did: str, not_done: str) -> tuple[int, str]:
    """The message level and text for `done` rows acted on and the `refusals` (one sentence
    each, naming its row): `did` is the past tense ("Held"), `not_done` how a refusal reads
    ("could not be held")."""
    total = done + len(refusals)
    if not refusals:
        return messages.SUCCESS, f"{did} {done} of {total}."
    items = format_html_join("", "<li>{}</li>", ((text,) for text in refusals))
    summary: SafeString = format_html(
        '<details class="bulk-failures"><summary>{} {} of {}; {} {}.</summary>'
        "<ul>{}</ul></details>",
        did,
        done,
        total,
        len(refusals),
        not_done,
        items,
    )
    return (messages.WARNING if done else messages.ERROR), summary

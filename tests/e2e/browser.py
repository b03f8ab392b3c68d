"""Steps the browser tests share."""


def htmx_ready(page) -> None:
    """Wait until the page has loaded and htmx (a deferred script) has started.

    A test that types or clicks the moment a heading appears can beat the deferred script:
    the form then submits as a plain post, which works, but is not what the test checks.
    """
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")


def htmx_settled(page) -> None:
    """Wait until no htmx request is in flight (htmx marks the element with `htmx-request`)."""
    page.wait_for_function("() => document.querySelector('.htmx-request') === null")

"""The watch every browser test runs under does catch what it is there to catch."""

import pytest

from tests.browser.conftest import watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INLINE_SCRIPT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.__ran = true";
    document.body.append(script);
}"""


@pytest.fixture
def bare_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    yield context.new_page()
    context.close()


def test_an_inline_script_is_refused_by_the_policy_and_reported(bare_page):
    problems = watch(bare_page)
    bare_page.goto("/accounts/login/")
    assert problems == []
    bare_page.evaluate(INLINE_SCRIPT)
    reported(bare_page, problems, "Content Security Policy")
    assert bare_page.evaluate("() => window.__ran") is None


def test_an_uncaught_exception_is_reported(bare_page):
    problems = watch(bare_page)
    bare_page.goto("/accounts/login/")
    bare_page.evaluate("() => { setTimeout(() => { throw new Error('unexpected'); }, 0); }")
    reported(bare_page, problems, "unexpected")


def reported(page, problems: list[str], text: str) -> None:
    """Events arrive a moment after the page raised them: wait up to two seconds."""
    for _ in range(20):
        if any(text in problem for problem in problems):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{text!r} was not reported: {problems}")

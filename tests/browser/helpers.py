"""Steps shared by the browser journeys."""
from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect


# Runs in every document before its own content: reports each Content-Security-Policy violation to the test.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => window.consultPolicyViolation({
    page: document.location.href, directive: event.effectiveDirective, blocked: event.blockedURI,
    sample: event.sample, at: `${event.sourceFile}:${event.lineNumber}`}));
"""


def watch_security_policy(page: Page) -> list[dict]:
    """The Content-Security-Policy violations of every document `page` loads from now on (a list filled as they
    happen): an inline style or script without the nonce, a resource from elsewhere… The browser refuses them
    silently, so a journey would not notice a page losing its look or its behaviour."""
    violations: list[dict] = []
    page.expose_function("consultPolicyViolation", lambda violation: violations.append(violation))
    page.add_init_script(CSP_LISTENER)
    return violations


def describe_violations(violations: list[dict]) -> str:
    return "\n".join(f"- {v['page']}: {v['directive']} refused {v['blocked'] or 'an inline part'} "
                     f"({v['sample']!r} at {v['at']})" for v in violations)


def in_language(live_server, locale: str, msgid: str, **variables) -> str:
    """The app's wording for `msgid` in `locale` (the msgid itself while the catalogue lacks it)."""
    with live_server.app.test_request_context(), force_locale(locale):
        return gettext(msgid, **variables)


def follow(page: Page, target) -> None:
    """Click a link or a submit button and wait until the new document has loaded.

    A link inside a closed menu (on a phone the account and territory menus are <details>) is shown first, as a
    visitor would open the menu; the template survey journey (tests/browser/test_survey_template_and_staff.py) opens
    one with the keyboard.
    """
    target.evaluate("element => { const menu = element.closest('details.nav-menu'); if (menu) menu.open = true; }")
    with page.expect_navigation():
        target.click()


def assert_fits_the_screen(page: Page) -> None:
    widths = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], f"horizontal scroll on {page.url}: {widths}"


def checked_page(page: Page, axe_check) -> None:
    """axe, and no horizontal scroll."""
    axe_check(page)
    assert_fits_the_screen(page)


def log_in(page: Page, live_server, axe_check, email: str, password: str) -> None:
    page.goto(live_server("/account/login"))
    axe_check(page)
    page.fill("#email", email)
    page.fill("#password", password)
    follow(page, page.locator("main form button[type=submit]"))
    axe_check(page)
    expect(page.locator('.account-nav a[href="/account/profile"]')).to_be_attached()  # in the closed menu on a phone


_CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def signed_in(page: Page, live_server, email: str, password: str) -> None:
    """`page`'s browser logged in as `email`, without walking through the login form: the form is posted by the
    app's test client (a real login: password checked, a login session stored) and its session cookie handed to
    the browser. For journeys where logging in is not what is tested; `log_in` walks through the form (the
    login page and the page after it checked by axe), and some journeys still do."""
    client = live_server.app.test_client()
    form = client.get("/account/login")
    token = _CSRF_FIELD.search(form.get_data(as_text=True))
    assert token, "no CSRF token on the login page"
    answer = client.post("/account/login", data={"csrf_token": token.group(1), "email": email, "password": password})
    assert answer.status_code == 302, f"{email} could not log in: {answer.status_code}"
    client.get(answer.headers["Location"])  # the landing page shows (and so drops) the « Welcome » message
    name = live_server.app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None, "no session cookie after logging in"
    page.context.add_cookies([{"name": name, "value": cookie.value, "url": live_server.url, "httpOnly": True,
                               "sameSite": "Lax"}])


def next_button(page: Page):
    return page.locator('button[name="action"][value="next"]')

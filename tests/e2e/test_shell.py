from playwright.sync_api import expect

from tests.support.browser import assert_no_horizontal_scroll, screenshot


def test_branded_shell_on_a_phone(app, page):
    page.goto(app.url + "/")
    expect(page.locator("#brand-name")).to_have_text("Harbor & Main Insurance")
    expect(page.locator("#welcome-heading")).to_contain_text("Client Center")
    expect(page.locator("#contact-card")).to_contain_text("+1 555 010 2000")
    expect(page.locator("#login-email")).to_be_visible()
    logo = page.locator("#brand-logo")
    expect(logo).to_be_visible()
    assert page.evaluate("document.getElementById('brand-logo').naturalWidth") > 0
    assert_no_horizontal_scroll(page)
    screenshot(page, "shell-390")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)


def test_health_route(app):
    import httpx

    assert httpx.get(app.url + "/healthz").json() == {"status": "ok"}

"""The webhooks page in Chromium at 1280x800: the administrator registers the loopback
receiver, copies the secret shown once, sends a test event, and the receiver verifies the
signed delivery with that secret; a reload no longer shows the secret."""

from __future__ import annotations

import subprocess
import sys

from playwright.sync_api import expect

from clientcenter.settings import PROJECT_ROOT
from tests.support.browser import assert_no_horizontal_scroll, screenshot
from tests.support.demo import AGENT
from tests.support.webhook_receiver import WebhookReceiver

DESKTOP = {"width": 1280, "height": 800}


def test_admin_registers_an_endpoint_and_a_test_event_arrives_signed(app, page):
    receiver = WebhookReceiver()
    try:
        page.set_viewport_size(DESKTOP)
        app.log_in(page, AGENT, agent=True)
        page.goto(f"{app.url}/agent/more")
        page.locator("#more-webhooks").click()
        expect(page.locator("#page-title")).to_have_text("Webhooks")
        expect(page.locator("#webhook-list")).to_have_count(0)
        page.locator("#webhook-url").fill(receiver.url)
        page.locator("#webhook-description").fill("Loopback receiver")
        page.locator("#event-change_request-filed").check()
        page.locator("#event-document-uploaded").check()
        page.locator("#webhook-submit").click()
        expect(page.locator("#webhooks-notice")).to_contain_text("not shown again")
        secret_el = page.locator("#webhook-secret")
        expect(secret_el).to_contain_text("whsec_")
        secret = secret_el.inner_text().strip()
        endpoint = page.locator(".webhook-endpoint", has_text=receiver.url)
        expect(endpoint).to_contain_text("change_request.filed, document.uploaded")
        assert_no_horizontal_scroll(page)
        screenshot(page, "agent-webhooks-registered")

        receiver.secret = secret
        endpoint.locator(".webhook-test").click()
        expect(page.locator("#webhooks-notice")).to_contain_text("Test event queued")
        subprocess.run(
            [sys.executable, "-m", "clientcenter.cli", "relay", "--once"],
            env=app.env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )
        [delivery] = [d for d in receiver.deliveries if d.verified]
        assert delivery.event["type"] == "webhook.test"

        page.reload()
        expect(page.locator(".webhook-endpoint")).to_have_count(1)
        expect(page.locator("#webhook-secret")).to_have_count(0)
        assert secret not in page.content()
        page.locator(".webhook-toggle").click()
        expect(page.locator(".webhook-endpoint")).to_contain_text("Disabled")
        screenshot(page, "agent-webhooks-disabled")
    finally:
        receiver.close()

"""Profile's edit sections in Chromium at 390x844: a name change, a new email confirmed with
the code sent to it (read from the dev mailbox page), contact preferences, the co-applicant."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import code_for, look
from tests.support.demo import PAT


def test_profile_edits_and_a_new_email_confirmed_by_code(app, page):
    app.log_in(page, PAT)
    page.goto(app.url + "/profile")
    expect(page.locator("#personal-info")).to_contain_text("Pat Rivera")
    expect(page.locator("#co-applicant")).to_contain_text("Sam Rivera")
    look(page, "profile-sections")

    page.locator("#edit-personal").click()
    form = page.locator("#personal-form")
    form.locator("[name=first_name]").fill("Patricia")
    form.locator("[name=email]").fill("pat.new@example.com")
    look(page, "profile-edit-personal")
    page.locator("#personal-save").click()
    expect(page.locator("#verify-card")).to_be_visible()
    expect(page.locator("#verify-message")).to_contain_text("pat.new@example.com")
    expect(page.locator("#personal-info")).to_contain_text("Patricia Rivera")
    expect(page.locator("#personal-info")).to_contain_text(PAT)  # not yet changed

    code = code_for(page, app, "pat.new@example.com", "confirm")
    wrong = "000000" if code != "000000" else "111111"
    page.locator("#verify-code").fill(wrong)
    page.locator("#verify-submit").click()
    expect(page.locator("#verify-error")).to_contain_text("not right")
    look(page, "profile-verify-code")
    page.locator("#verify-code").fill(code)
    page.locator("#verify-submit").click()
    expect(page.locator("#profile-saved")).to_contain_text("confirmed")
    expect(page.locator("#personal-info")).to_contain_text("pat.new@example.com")
    page.reload()  # the session follows the new, proven email: still logged in
    expect(page.locator("#personal-info")).to_contain_text("pat.new@example.com")

    page.locator("#edit-preferences").click()
    page.locator("label[for=pref-notify_by_sms]").click()
    page.locator("#preferences-save").click()
    expect(page.locator("#contact-preferences")).to_contain_text("By email and text message")

    page.locator("#edit-co").click()
    page.locator("#co-form [name=mobile]").fill("207-555-01")
    page.locator("#co-save").click()
    expect(page.locator("#error-mobile")).to_contain_text("not a valid phone number")
    look(page, "profile-co-applicant-error")

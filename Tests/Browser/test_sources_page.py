"""The settings page's Sources view (SPEC §12) in real Chromium: create a source, show, hide and
copy its token, see its status follow real signed GitHub requests, and change the token."""

import hashlib
import hmac
import json
import unittest
import urllib.request

from harness import eventually
from page import By, PageTestCase

PUSH = json.dumps({"ref": "refs/heads/main", "repository": {"full_name": "acme/api"},
                   "sender": {"login": "alice"}}).encode()


class SourcesPageTests(PageTestCase):
    def push(self, source_id, token, delivery):
        """A GitHub push signed with `token`, as GitHub sends it (Python's own HMAC)."""
        signature = "sha256=" + hmac.new(token.encode(), PUSH, hashlib.sha256).hexdigest()
        status, _, body = self.relay.raw("POST", f"/v1/inbound/{source_id}", headers={
            "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": signature}, body=PUSH)
        return status, body

    def token_shown(self):
        fields = self.driver.find_elements(By.XPATH, "//input[@aria-label or @id][starts-with(@id, 'token-')]")
        return fields[0].get_attribute("value") if fields else None

    def status_of(self, name):
        return self.page.row(name).find_element(By.CSS_SELECTOR, ".status").text

    def test_a_source_is_created_its_token_shown_copied_and_changed(self):
        page = self.page
        page.sign_in()
        page.open("/ui/sources")
        page.type_into("Display name", "acme GitHub")
        page.select("Provider", "GitHub")
        page.press("Save")
        self.assertIn("Source “acme GitHub” created", page.notice())
        _, listing = self.relay.api("GET", "/v1/sources")
        [source] = listing["sources"]
        _, revealed = self.relay.api("POST", f"/v1/sources/{source['id']}/secret/reveal")
        token = revealed["secret"]
        self.assertEqual(self.token_shown(), token)
        self.assertEqual(page.field("URL of acme GitHub").get_attribute("value"), f"/v1/inbound/{source['id']}")
        self.assertEqual(self.status_of("acme GitHub"), "PENDING")

        page.press("Hide the token of acme GitHub")
        self.assertIsNone(self.token_shown())
        self.screenshot("sources")
        self.assertNotIn(token, self.driver.page_source)
        page.press("Show the token of acme GitHub")
        self.assertEqual(self.token_shown(), token)

        self.driver.execute_cdp_cmd("Browser.grantPermissions", {
            "origin": self.relay.base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
        page.press("Copy the token of acme GitHub to the clipboard")
        eventually(lambda: page.control("Copy the token of acme GitHub to the clipboard").text == "Copied",
                   message="the copy is confirmed")
        copied = self.driver.execute_async_script(
            "navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))")
        self.assertEqual(copied, token)

        status, body = self.push(source["id"], token, "d-1")
        self.assertEqual(status, 202, body)
        page.open("/ui/sources")
        self.assertEqual(self.status_of("acme GitHub"), "SECURE")

        page.type_into("Grace", "1h")
        text = page.press_and_confirm("Change the secret token of acme GitHub")
        self.assertIn("keeps working for the grace period", text)
        new = self.token_shown()
        self.assertTrue(new and new != token and new.startswith("whsec_"))
        row = page.row("acme GitHub").text
        self.assertIn("CONFIGURING", row)
        self.assertIn("0 of 1 senders use the new token", row)
        self.assertIn("Still on the previous token: acme/api", row)

        self.assertEqual(self.push(source["id"], token, "d-2")[0], 202, "the old token works during the grace")
        self.assertEqual(self.push(source["id"], new, "d-3")[0], 202)
        page.open("/ui/sources")
        self.assertEqual(self.status_of("acme GitHub"), "SECURE")
        self.assertIn("1 of 1 senders use the new token", page.row("acme GitHub").text)
        self.assertEqual(self.push(source["id"], token, "d-4")[0], 401, "the old token is gone")
        page.open("/ui/sources")
        self.assertIn("1 (last at", page.row("acme GitHub").text)

    def test_a_refused_source_shows_the_reason_next_to_the_field(self):
        page = self.page
        page.sign_in()
        page.open("/ui/sources")
        page.type_into("Display name", "   ")
        page.press("Save")
        self.assertEqual(page.error_for("Display name"), "must be 1 to 100 characters")


if __name__ == "__main__":
    unittest.main()

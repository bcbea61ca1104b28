"""The settings page (SPEC §10) in real Chromium against the real relay and a real HTTPS
receiver. Each step is done as a person would do it; its result is checked through the admin API
and on the wire."""

import json
import re
import unittest
import urllib.parse

from harness import ADMIN_TOKEN, INGEST_TOKEN, Relay, SlackStandIn, chromium, eventually, standard_signatures
from page import By, Keys, Page, PageTestCase


class SettingsPageTests(PageTestCase):
    with_receiver = True

    def create(self, name, path, **members):
        body = {"name": name, "url": self.receiver.url(path), "events": ["*"], **members}
        status, webhook = self.relay.api("POST", "/v1/webhooks", body)
        self.assertEqual(status, 201, webhook)
        return webhook

    def open_editor(self, name):
        self.page.open("/ui/")
        self.page.press(f"Edit {name}")
        self.assertEqual(self.driver.find_element(By.TAG_NAME, "h1").text, name)

    # Sign-in, session and the page's headers

    def test_sign_in_exchanges_the_token_for_a_strict_cookie_and_the_page_is_sent_with_safe_headers(self):
        status, headers, _ = self.relay.raw("GET", "/")
        self.assertEqual((status, headers["Location"]), (303, "/ui/"))
        status, headers, _ = self.relay.raw("GET", "/ui/")
        self.assertEqual(status, 200)
        policy = headers["Content-Security-Policy"]
        self.assertIn("script-src 'self'", policy)
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertNotIn("unsafe-inline", policy)
        self.assertEqual(headers["X-Frame-Options"], "DENY")
        self.assertEqual(headers["Referrer-Policy"], "no-referrer")
        self.assertEqual(headers["Cache-Control"], "no-store")

        self.page.sign_in("not-the-token")
        self.assertEqual(self.page.error_for("Admin token"), "That token was not accepted.")
        self.assertEqual(self.driver.get_cookies(), [])

        self.page.sign_in()
        self.assertEqual(self.driver.find_element(By.TAG_NAME, "h1").text, "Webhooks")
        [cookie] = self.driver.get_cookies()
        self.assertTrue(cookie["httpOnly"])
        self.assertEqual(cookie["sameSite"], "Strict")
        self.assertEqual(cookie["path"], "/")
        self.assertNotIn(ADMIN_TOKEN, cookie["value"])
        self.assertNotIn(ADMIN_TOKEN, self.driver.current_url)
        stored = self.driver.execute_script(
            "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie")
        self.assertNotIn(ADMIN_TOKEN, stored)
        self.assertEqual(self.driver.execute_script("return document.cookie"), "", "the cookie is HttpOnly")

    def test_sign_out_ends_the_session_and_changes_without_the_form_token_or_from_elsewhere_are_refused(self):
        webhook = self.create("Guarded", "/guarded")
        self.page.sign_in()
        cookie = "{name}={value}".format(**self.driver.get_cookies()[0])
        token = self.driver.find_element(By.CSS_SELECTOR, "input[name=_csrf]").get_attribute("value")
        delete = f"/ui/webhooks/{webhook['id']}/delete"
        form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        for extra, body in [
            ({}, b""),  # no form token
            ({}, b"_csrf=wrong"),
            ({"Origin": "https://evil.example"}, f"_csrf={token}".encode()),
            ({"Sec-Fetch-Site": "cross-site"}, f"_csrf={token}".encode()),
        ]:
            status, _, _ = self.relay.raw("POST", delete, {**form, **extra}, body)
            self.assertEqual(status, 403, extra)
        self.assertIsNotNone(self.relay.webhook_named("Guarded"), "nothing was deleted")

        live = self.relay.stream("/ui/deliveries/stream", {"Cookie": cookie})
        self.assertEqual(live.headers["Content-Type"], "text/event-stream")
        self.assertTrue(live.readline().startswith(b": stream of delivery attempts"))

        self.page.press("Sign out")
        self.assertIn("Admin token", self.page.text())
        self.assertTrue(live.read().endswith(b"\n\n"), "the live stream ends with the session")
        live.close()
        self.assertEqual(self.driver.get_cookies(), [])
        status, _, body = self.relay.raw("GET", "/ui/", {"Cookie": cookie})
        self.assertIn(b"Admin token", body, "the old cookie no longer signs in")
        status, _, _ = self.relay.raw("POST", delete, form, f"_csrf={token}".encode())
        self.assertEqual(status, 303)
        self.assertIsNotNone(self.relay.webhook_named("Guarded"))

    # The webhooks table and the custom webhook form

    def test_a_refused_url_shows_the_rule_next_to_the_field_and_a_good_one_adds_a_row(self):
        self.page.sign_in()
        self.page.type_into("Display name", "SIEM")
        self.page.type_into("URL", "http://siem.example.com/in")
        self.page.press("Save")
        self.assertIn("https", self.page.error_for("URL"))
        self.assertIsNone(self.relay.webhook_named("SIEM"), "nothing is created")
        self.assertEqual(self.page.field("Display name").get_attribute("value"), "SIEM", "the form keeps its values")

        self.page.type_into("URL", self.receiver.url("/siem"))
        self.page.press("Save")
        self.assertIn("SIEM", self.page.notice())
        webhook = self.relay.webhook_named("SIEM")
        self.assertEqual(webhook["events"], ["*"])
        row = self.page.row("SIEM")
        summary = row.find_element(By.XPATH, ".//*[@title and normalize-space()='All event types']")
        self.assertEqual(summary.get_attribute("title"), "*")
        self.assertIn("Custom", row.text)
        self.assertIn("Active", row.text)

    def test_delete_asks_first_and_removes_the_webhook(self):
        self.create("Doomed", "/doomed")
        self.page.sign_in()
        question = self.page.press_and_confirm("Delete Doomed", accept=False)
        self.assertIn("Doomed", question)
        self.assertIsNotNone(self.relay.webhook_named("Doomed"), "dismissing keeps it")
        self.page.press_and_confirm("Delete Doomed", accept=True)
        self.assertIn("deleted", self.page.notice())
        self.assertIsNone(self.relay.webhook_named("Doomed"))
        self.assertEqual(self.driver.find_elements(By.XPATH, "//tbody//th[normalize-space()='Doomed']"), [])

    def test_hostile_names_and_event_types_are_shown_as_text_and_no_script_runs(self):
        name = '<img src=x onerror="window.__pwned=1">Ops</b>'
        self.create(name, "/hostile")
        self.page.sign_in()
        self.assertIn(name, self.page.text())
        self.page.press(f"Edit {name}")
        self.assertEqual(self.driver.find_element(By.TAG_NAME, "h1").text, name)
        pattern = "<script>window.__pwned=2</script>"
        self.page.type_into("Event type or pattern", pattern)
        self.page.press("Add pattern")
        self.assertIn(pattern, self.page.error_for("Event type or pattern"))
        self.assertIn("<b>Permissions</b> of a team changed", self.page.text(), "catalogue text stays text")
        self.assertIsNone(self.driver.execute_script("return window.__pwned"))
        self.assertEqual(self.driver.find_elements(By.XPATH, "//main//img|//main//b|//main//script"), [])

    # The editor

    def test_the_editor_sets_events_a_random_secret_the_authorization_header_and_headers_that_a_delivery_carries(self):
        webhook = self.create("Editor Hook", "/editor")
        self.page.sign_in()
        self.open_editor("Editor Hook")

        self.page.checkbox("*").click()
        self.page.checkbox("user.login").click()
        self.page.checkbox("permission.changed").click()
        self.page.type_into("Event type or pattern", "repo.*")
        self.page.press("Add pattern")
        self.assertTrue(self.page.checkbox("repo.*").is_selected())
        self.assertTrue(self.page.checkbox("user.login").is_selected(), "the draft survives each step")

        self.page.press("Random")
        secret = self.page.field("Secret").get_attribute("value")
        self.assertRegex(secret, r"^whsec_[A-Za-z0-9+/]{43}=$")
        self.page.press("Add")
        self.assertIn("not saved yet", self.page.text())
        self.assertNotIn(secret, self.page.text(), "an added secret is shown masked")
        self.assertEqual(self.relay.webhook_named("Editor Hook")["secrets"], [], "nothing is stored before Save")

        self.page.press("Set Authorization Header")
        dialog = self.page.open_dialog()
        self.assertIsNotNone(dialog)
        self.screenshot("authorization-dialog", whole=False)
        self.page.type_into("Authorization value", "Bearer")
        self.page.press("Set")
        dialog = eventually(self.page.open_dialog, message="the dialog shows the refusal")
        self.assertIn("<auth-scheme> <credentials>", self.page.error_for("Authorization value"))
        self.page.press_keys(Keys.ESCAPE)
        eventually(lambda: self.page.open_dialog() is None, message="Escape closes the dialog")
        self.page.press("Set Authorization Header")
        self.page.type_into("Authorization value", "Bearer s3cr3t-token-value")
        self.page.press("Set")
        self.assertIsNone(self.page.open_dialog())
        self.assertIn("Bea… (not saved yet)", self.page.text())
        self.assertNotIn("s3cr3t-token-value", self.page.text())

        self.page.type_into("Header name", "Host")
        self.page.type_into("Header value", "evil.example")
        self.page.press("Add header")
        self.assertIn("is set by the relay", self.page.text())
        self.page.type_into("Header name", "X-Team")
        self.page.type_into("Header value", "blue")
        self.page.press("Add header")
        self.assertIsNotNone(self.page.row("X-Team"))
        self.screenshot("editor")

        self.page.press("Save")
        self.assertIn("saved", self.page.notice())
        saved = self.relay.webhook_named("Editor Hook")
        self.assertEqual(sorted(saved["events"]), ["permission.changed", "repo.*", "user.login"])
        self.assertEqual(saved["secrets"], ["whs…"])
        self.assertEqual(saved["authorization"], "Bea…")
        self.assertEqual(saved["headers"], {"X-Team": "blue"})

        delivered_id = self.relay.send_event("user.login")
        ignored_id = self.relay.send_event("user.logout")
        # The webhook took "*" until Save, so the relay's record of the sign-in (SPEC §13) may come too.
        request = eventually(
            lambda: next((r for r in self.receiver.received("/editor") if json.loads(r["body"])["id"] == delivered_id), None),
            message="the event is delivered")
        headers = request["headers"]
        self.assertEqual(headers["authorization"], "Bearer s3cr3t-token-value")
        self.assertEqual(headers["x-team"], "blue")
        self.assertEqual(json.loads(request["body"])["id"], delivered_id)
        expected = standard_signatures(secret, headers["webhook-id"], headers["webhook-timestamp"], request["body"])
        self.assertEqual(headers["webhook-signature"], expected, "the Random secret signs the delivery")
        _, detail = self.relay.api("GET", f"/v1/events/{ignored_id}")
        self.assertEqual([m for m in detail["messages"] if m["webhookId"] == webhook["id"]], [],
                         "user.logout is not subscribed")

        self.open_editor("Editor Hook")
        self.page.type_into("Display name", "Renamed")
        self.page.press("Discard Changes")
        self.assertEqual(self.relay.webhook_named("Editor Hook")["id"], webhook["id"], "Discard stores nothing")

        self.open_editor("Editor Hook")
        self.page.press("Set Authorization Header")
        self.page.press("Clear")
        self.page.press("Remove header X-Team")
        self.page.select("Format", "ndjson")
        self.page.checkbox("Send events in batches").click()
        self.page.type_into("Events per request", "50")
        self.page.press("Save")
        saved = self.relay.webhook_named("Editor Hook")
        self.assertIsNone(saved["authorization"])
        self.assertEqual(saved["headers"], {})
        self.assertEqual(saved["format"], "ndjson")
        self.assertEqual(saved["batch"]["maxEvents"], 50)

        self.open_editor("Editor Hook")
        self.page.type_into("Events per request", "lots")
        self.page.press("Save")
        self.assertIn("batch.maxEvents", self.page.text())
        self.assertEqual(self.relay.webhook_named("Editor Hook")["batch"]["maxEvents"], 50, "a refused Save stores nothing")

    def test_ten_secrets_at_most_and_remove_takes_the_one_named(self):
        secrets = [f"s{n}{n}-secret-value-{n}" for n in range(9)]
        self.create("Signed", "/signed", secrets=secrets)
        self.page.sign_in()
        self.open_editor("Signed")
        self.assertIn("9 of 10 secrets", self.page.text())
        self.page.type_into("Secret", "tenth-secret-value")
        self.page.press("Add")
        self.assertIn("10 of 10 secrets", self.page.text())
        self.page.press("Random")
        self.page.press("Add")
        self.assertIn("at most 10 secrets", self.page.error_for("Secret"))
        self.page.press("Remove secret s00…")
        self.page.press("Save")
        saved = self.relay.webhook_named("Signed")
        self.assertEqual(saved["secrets"], [f"s{n}{n}…" for n in range(1, 9)] + ["ten…"])

    def test_enabled_resume_and_send_test_event(self):
        self.create("Toggle", "/toggle")
        self.page.sign_in()
        self.open_editor("Toggle")
        self.page.checkbox("Enabled").click()
        self.page.press("Save")
        saved = self.relay.webhook_named("Toggle")
        self.assertEqual((saved["enabled"], saved["state"]), (False, "disabled"))
        self.assertIn("Disabled", self.page.row("Toggle").text)
        self.page.press("Resume Toggle")
        self.assertIn("resumed", self.page.notice())
        self.assertEqual(self.relay.webhook_named("Toggle")["state"], "active")

        self.page.press("Send a test event to Toggle")
        self.assertIn("delivered (HTTP 200", self.page.notice())
        # The webhook takes "*": the relay's records of the sign-in and of these changes come too.
        tests = [r for r in self.receiver.received("/toggle") if json.loads(r["body"])["type"] == "auditrelay.test"]
        self.assertEqual(len(tests), 1)

    # Deliveries

    def test_deliveries_update_live_filter_and_retry_a_failed_message(self):
        self.receiver.statuses["/failing"] = 500
        self.create("Failing", "/failing")
        self.create("Live", "/live")
        self.page.sign_in()
        self.page.open("/ui/deliveries")
        eventually(lambda: "Live:" in self.page.text(), message="the stream is open")
        event_id = self.relay.send_event("user.login")

        def outcome_of(webhook):
            rows = self.driver.find_elements(
                By.XPATH, f"//tbody/tr[td[normalize-space()='{webhook}'] and .//code[normalize-space()='{event_id}']]")
            return rows[0].find_element(By.CSS_SELECTOR, ".outcome").text if rows else None

        eventually(lambda: outcome_of("Live") == "delivered", message="the delivery appears without reloading")
        eventually(lambda: outcome_of("Failing") in ("failed", "expired"), timeout=15,
                   message=f"the failure appears (shown: {outcome_of('Failing')})")
        self.screenshot("deliveries")
        self.receiver.statuses["/failing"] = 200
        self.page.press(f"Retry {event_id}")
        self.assertIn("queued again", self.page.notice())
        eventually(lambda: outcome_of("Failing") == "delivered", message="the retried message is delivered")
        eventually(lambda: any(json.loads(r["body"])["id"] == event_id for r in self.receiver.received("/failing")))

        self.page.select("Webhook", "Live")
        self.page.press("Filter")
        self.assertEqual(urllib.parse.parse_qs(urllib.parse.urlparse(self.driver.current_url).query)["webhook"],
                         [self.relay.webhook_named("Live")["id"]])
        shown = {row.find_elements(By.TAG_NAME, "td")[1].text
                 for row in self.driver.find_elements(By.CSS_SELECTOR, "table.deliveries tbody tr")}
        self.assertEqual(shown, {"Live"})
        health = self.driver.find_element(By.XPATH, "//table[.//th[normalize-space()='Queue']]").text
        self.assertIn("Failing", health)
        self.assertIn("Live", health)

    # Keyboard, names and narrow windows

    def test_every_control_has_a_name_and_the_dialog_keeps_the_focus(self):
        self.create("Keyboard", "/keyboard")
        self.page.sign_in()
        for path in ["/ui/", "/ui/deliveries", "/ui/sources"]:
            self.page.open(path)
            self.assertEqual(self.page.controls_without_a_name(), [], path)
        self.screenshot("webhooks")
        self.open_editor("Keyboard")
        self.assertEqual(self.page.controls_without_a_name(), [])
        self.page.press("Set Authorization Header")
        dialog = self.page.open_dialog()
        self.assertTrue(self.page.active_element_inside(dialog))
        for _ in range(8):
            self.page.press_keys(Keys.TAB)
            self.assertTrue(self.page.active_element_inside(dialog), "Tab stays in the dialog")
        for _ in range(3):
            self.page.press_keys(Keys.SHIFT, Keys.TAB)
            self.assertTrue(self.page.active_element_inside(dialog), "Shift-Tab stays in the dialog")
        self.page.press_keys(Keys.ESCAPE)
        eventually(lambda: self.page.open_dialog() is None, message="Escape closes the dialog")

    def test_a_narrow_window_needs_no_sideways_scrolling(self):
        self.create("A webhook with a rather long display name for a phone", "/narrow")
        self.page.sign_in()
        self.driver.set_window_size(390, 844)
        for path in ["/ui/", "/ui/deliveries"]:
            self.page.open(path)
            self.assertTrue(self.page.has_no_horizontal_scroll(), path)
        self.page.open("/ui/")
        self.page.press("Edit A webhook with a rather long display name for a phone")
        self.assertTrue(self.page.has_no_horizontal_scroll(), "the editor")


class SettingsPageOverHTTPSTests(unittest.TestCase):
    """The relay serving HTTPS itself (`server.tls`): the cookie becomes `__Host-` and `Secure`."""

    def test_the_session_cookie_is_host_prefixed_and_secure(self):
        relay = Relay(tls=True)
        driver = chromium(trust_any_certificate=True)
        try:
            page = Page(driver, relay)
            page.sign_in()
            self.assertEqual(driver.find_element(By.TAG_NAME, "h1").text, "Webhooks")
            [cookie] = driver.get_cookies()
            self.assertEqual(cookie["name"], "__Host-auditrelay-session")
            self.assertTrue(cookie["secure"] and cookie["httpOnly"])
            self.assertEqual((cookie["sameSite"], cookie["path"]), ("Strict", "/"))
            page.press("Sign out")
            self.assertEqual(driver.get_cookies(), [])
        finally:
            driver.quit()
            relay.stop()


class SlackInstallTests(unittest.TestCase):
    """"Install using OAuth" (SPEC §11) with a stand-in for Slack on 127.0.0.1."""

    def test_install_using_oauth_adds_a_named_webhook_that_posts_to_the_channel(self):
        slack = SlackStandIn()
        relay = Relay(extra=lambda relay: {"slack": {
            "clientID": "1111.2222", "clientSecret": "slack-client-secret-value",
            "redirectURL": f"{relay.base}/ui/slack/callback",
            "authorizeURL": slack.url("/oauth/v2/authorize"), "apiURL": slack.url("/api/"),
            "webhookHosts": ["localhost"], "defaultEvents": ["user.*"]}})
        driver = chromium(trust_any_certificate=True)
        try:
            page = Page(driver, relay)
            page.sign_in()
            page.press("Install using OAuth")
            self.assertIn("installed", page.notice())
            self.assertEqual(driver.find_element(By.TAG_NAME, "h1").text, "#general (Acme)")
            self.assertIn("Manage in Slack", page.text())
            [authorization] = slack.authorizations
            self.assertEqual((authorization["client_id"], authorization["scope"]), ("1111.2222", "incoming-webhook"))
            [exchange] = slack.exchanges
            self.assertEqual(exchange["form"], {"code": "approved-1", "redirect_uri": f"{relay.base}/ui/slack/callback"})
            self.assertTrue(exchange["authorization"].startswith("Basic "))

            page.open("/ui/")
            self.assertIsNotNone(page.row("#general (Acme)"))
            webhook = relay.webhook_named("#general (Acme)")
            self.assertEqual((webhook["kind"], webhook["events"]), ("slack", ["user.*"]))
            self.assertNotIn("hook-secret", webhook["url"])

            event_id = relay.send_event("user.login")
            [message] = eventually(lambda: slack.received("/services/T0ACME/B0GENERAL/hook-secret"),
                                   message="the event reaches the channel's webhook")
            self.assertIn(event_id, message["body"].decode())
            self.assertIn("blocks", json.loads(message["body"]))

            page.press("Install using OAuth")
            page.open("/ui/")
            self.assertIsNotNone(page.row("#general (Acme) 2"), "a second install of the channel gets a number")
            log = open(relay.log.name).read()
            for secret in ["slack-client-secret-value", "approved-1", "hook-secret"]:
                self.assertNotIn(secret, log)
        finally:
            driver.quit()
            relay.stop()
            slack.stop()


if __name__ == "__main__":
    unittest.main()

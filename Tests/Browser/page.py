"""The settings page as a person uses it: controls found by their visible label or accessible
name, never by CSS classes or ids."""

import os
import time
import unittest

from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from harness import ADMIN_TOKEN, SCREENSHOTS, Receiver, Relay, chromium, eventually


def literal(text):
    """`text` as an XPath string literal."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


class Page:
    def __init__(self, driver, relay):
        self.driver = driver
        self.relay = relay

    def open(self, path):
        self.driver.get(self.relay.base + path)
        self.wait_loaded()

    def wait_loaded(self):
        eventually(lambda: self.driver.execute_script("return document.readyState") == "complete",
                   message="the page loaded")

    def sign_in(self, token=ADMIN_TOKEN):
        self.open("/")
        self.field("Admin token").send_keys(token)
        self.press("Sign in")

    def field(self, label):
        """The input, select or textarea whose <label> says `label` (or whose aria-label is it)."""
        labels = self.driver.find_elements(By.XPATH, f"//label[normalize-space()={literal(label)}]")
        fields = []
        for element in labels:
            target = element.get_attribute("for")
            fields += [self.driver.find_element(By.ID, target)] if target else element.find_elements(
                By.XPATH, ".//input|.//select")
        fields += self.driver.find_elements(By.XPATH, f"//*[@aria-label={literal(label)}]")
        visible = [f for f in fields if f.is_displayed()]
        assert len(visible) == 1, f"{len(visible)} visible fields labelled {label!r}"
        return visible[0]

    def checkbox(self, label):
        """The checkbox inside the <label> whose text is `label`."""
        return self.driver.find_element(
            By.XPATH, f"//label[normalize-space()={literal(label)}]//input[@type='checkbox']")

    def control(self, name):
        """The one visible button or link whose accessible name is `name`."""
        candidates = self.driver.find_elements(
            By.XPATH,
            f"//button[@aria-label={literal(name)} or (not(@aria-label) and normalize-space()={literal(name)})]"
            f"|//a[@aria-label={literal(name)} or (not(@aria-label) and normalize-space()={literal(name)})]")
        visible = [c for c in candidates if c.is_displayed()]
        assert len(visible) == 1, f"{len(visible)} visible controls named {name!r}"
        return visible[0]

    def press(self, name):
        """Clicks the control; when it sends a form or follows a link, waits for the next page."""
        control = self.control(name)
        navigates = control.tag_name == "a" or control.get_attribute("type") != "button"
        old = self.driver.find_element(By.TAG_NAME, "html")
        control.click()
        if navigates:
            self.wait_replaced(old)

    def wait_replaced(self, old):
        eventually(lambda: self._is_stale(old), message="the next page arrives")
        self.wait_loaded()

    @staticmethod
    def _is_stale(element):
        """Whether `element` is gone with its page. Mid-navigation Chromium may answer with an
        inspector error ("Node … does not belong to the document") rather than a stale reference."""
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True

    def press_and_confirm(self, name, accept=True):
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.control(name).click()
        alert = eventually(self._alert, message="the confirmation is asked")
        text = alert.text
        if accept:
            alert.accept()
            self.wait_replaced(old)
        else:
            alert.dismiss()
        return text

    def _alert(self):
        try:
            return self.driver.switch_to.alert
        except NoAlertPresentException:
            return None

    def type_into(self, label, text):
        element = self.field(label)
        element.clear()
        element.send_keys(text)
        return element

    def select(self, label, value):
        Select(self.field(label)).select_by_visible_text(value)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def notice(self):
        notices = self.driver.find_elements(By.CSS_SELECTOR, "[role=status]")
        return notices[0].text if notices else ""

    def error_for(self, label):
        """The reason shown next to the field: the element its aria-describedby names."""
        described = self.field(label).get_attribute("aria-describedby")
        assert described, f"no reason is attached to {label!r}"
        return self.driver.find_element(By.ID, described).text

    def open_dialog(self):
        dialogs = self.driver.find_elements(By.CSS_SELECTOR, "dialog[open]")
        return dialogs[0] if dialogs else None

    def active_element_inside(self, element):
        return self.driver.execute_script("return arguments[0].contains(document.activeElement)", element)

    def press_keys(self, *keys):
        self.driver.switch_to.active_element.send_keys(*keys)
        time.sleep(0.05)

    def row(self, text):
        """The table row containing `text`."""
        return self.driver.find_element(By.XPATH, f"//tr[.//*[normalize-space()={literal(text)}]]")

    def has_no_horizontal_scroll(self):
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1")

    def controls_without_a_name(self):
        """Visible controls whose accessible name is empty."""
        elements = self.driver.find_elements(By.XPATH, "//button|//a|//input[not(@type='hidden')]|//select")
        return [e.get_attribute("outerHTML")[:120] for e in elements if e.is_displayed() and not e.accessible_name]


__all__ = ["Page", "Keys", "By"]


class PageTestCase(unittest.TestCase):
    """One relay (and, with `with_receiver`, one HTTPS receiver) and one Chromium shared by a
    class's tests; each test starts signed out in a 1280 px window."""

    with_receiver = False
    receiver = None

    @classmethod
    def setUpClass(cls):
        if cls.with_receiver:
            cls.receiver = Receiver()
        cls.relay = Relay()
        cls.driver = chromium()

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.relay.stop()
        if cls.receiver:
            cls.receiver.stop()

    def setUp(self):
        self.driver.delete_all_cookies()
        self.driver.set_window_size(1280, 900)
        self.page = Page(self.driver, self.relay)

    def screenshot(self, name, whole=True):
        """With AUDITRELAY_SCREENSHOTS=1, saves the page (all of it when `whole`) under docs/."""
        if os.environ.get("AUDITRELAY_SCREENSHOTS") != "1":
            return
        os.makedirs(SCREENSHOTS, exist_ok=True)
        if whole:
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(1280, min(height + 140, 3000))
        self.driver.save_screenshot(os.path.join(SCREENSHOTS, f"{name}.png"))
        self.driver.set_window_size(1280, 900)

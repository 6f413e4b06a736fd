"""Driving a page with the keyboard alone, as someone who cannot use a mouse does: Tab to a
control (every stop on the way must show where the focus is), then type, press Space or
Enter, or move through a group of options with the arrow keys. No clicks, no `fill`.

After a key press the page is waited for, never read at once: the focus after Tab and the
choice after an arrow key are looked at once the page shows them (a busy machine handles the
key later than the next read would come)."""

from __future__ import annotations

from contextlib import suppress

from playwright.sync_api import (
    Error as PlaywrightError,
    JSHandle,
    Locator,
    Page,
    TimeoutError as PlaywrightTimeoutError,
    expect,
)

# Whether the focused element shows it: GOV.UK's focus style is an outline, a box shadow or
# (links) a yellow background with a thick underline drawn as a shadow; radios and
# checkboxes draw the ring on their label's ::before. Focus on <body> means it left the page
# (past the last control, into the browser's own), which is not the page's to show.
FOCUS_SHOWN = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return true;
  // The last Tab stop of a date field is Chromium's own calendar button, inside the field,
  // which draws the browser's focus ring (the field itself is then not :focus).
  if (e.type === "date" && !e.matches(":focus")) return true;
  const shown = s => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
                     || (s.boxShadow && s.boxShadow !== "none");
  if (shown(getComputedStyle(e))) return true;
  const label = e.labels && e.labels[0];
  return !!label && (shown(getComputedStyle(label, "::before"))
                     || shown(getComputedStyle(label, "::after")));
}"""
FOCUSED = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? `[name=${e.name}]` : "")
    + ` (outline ${s.outlineStyle} ${s.outlineWidth}, shadow ${s.boxShadow}) `
    + (e.innerText || e.value || "").trim().slice(0, 60); }"""
HAS_FOCUS = "(elements) => elements.includes(document.activeElement)"
# Tab has moved the focus on from `before`; inside a date field it may stay on the field (Tab
# goes from day to month to year, then to Chromium's calendar button), so nothing shows there.
FOCUS_MOVED = """before => document.activeElement !== before
  || (before instanceof HTMLInputElement && before.type === "date")"""
# What a page that is being replaced answers (without JavaScript, Enter loads a new page).
NAVIGATED = ("context was destroyed", "can be evaluated only in the context")
MAX_TABS = 600
TAB_PRESSES, LOST_PRESS_MS = 3, 10_000  # a Tab not heard in 10 s is pressed again, twice at most


class Keyboard:
    def __init__(self, page: Page) -> None:
        self.page = page

    def tab_to(self, target: Locator) -> None:
        """Press Tab until one of `target`'s elements has the focus."""
        for _ in range(MAX_TABS):
            try:
                self._tab()
                shown, reached = self.page.evaluate(FOCUS_SHOWN), target.evaluate_all(HAS_FOCUS)
            except PlaywrightError as error:
                if not any(said in error.message for said in NAVIGATED):
                    raise
                self.page.wait_for_load_state()
                continue
            assert shown, f"no visible focus on {self._focused()}"
            if reached:
                return
        raise AssertionError(f"Tab never reached {target}; the focus is on {self._focused()}")

    def _tab(self) -> None:
        """Press Tab, and wait until the focus has moved on. A press made while a page is
        still loading after a link (a busy machine) can be lost: if the focus has not moved
        in a while, Tab is pressed again, as a person would."""
        for press in range(1, TAB_PRESSES + 1):
            before: JSHandle = self.page.evaluate_handle("() => document.activeElement")
            try:
                self.page.keyboard.press("Tab")
                self.page.wait_for_function(FOCUS_MOVED, arg=before, timeout=LOST_PRESS_MS)
                return
            except PlaywrightTimeoutError:
                if press == TAB_PRESSES:
                    raise
            finally:
                with suppress(PlaywrightError):  # gone with its page if a new one loaded
                    before.dispose()

    def activate(self, target: Locator) -> None:
        """A link or button, with Enter."""
        self.tab_to(target)
        self.page.keyboard.press("Enter")

    def type_into(self, field: Locator, text: str) -> None:
        self.tab_to(field)
        self.page.keyboard.type(text)

    def tick(self, checkbox: Locator) -> None:
        self.tab_to(checkbox)
        self.page.keyboard.press("Space")

    def choose(self, group: Locator, option: Locator) -> None:
        """A radio button: Tab into its group, then arrow keys until it is chosen (a radio group
        is one Tab stop; the arrows move through it and choose as they go)."""
        self.tab_to(group)
        if option.is_checked():
            return
        # The focus is on the group's chosen radio, or on its first if none is chosen yet (which
        # ArrowDown then leaves: a whole round comes back to it).
        focused = group.evaluate_all("radios => radios.indexOf(document.activeElement)")
        wanted = group.evaluate_all("(radios, o) => radios.indexOf(o)", option.element_handle())
        count = group.count()
        for _ in range((wanted - focused) % count or count):
            self.page.keyboard.press("ArrowDown")
        expect(option, f"the arrow keys never chose {option}").to_be_checked()

    def select(self, field: Locator, label: str) -> None:
        """An option of a <select>, with the arrow keys (which change a closed one's choice)."""
        self.tab_to(field)
        chosen, wanted = field.evaluate(
            "(s, label) => [s.selectedIndex,"
            " [...s.options].findIndex(o => o.text.trim() === label)]",
            label,
        )
        if wanted < chosen:  # ArrowDown alone never reaches it (or it is not there at all)
            raise AssertionError(f"{label!r} is not an option of {field} below its choice")
        for _ in range(wanted - chosen):
            self.page.keyboard.press("ArrowDown")
        expect(field.locator("option:checked")).to_have_text(label)

    def _focused(self) -> str:
        focused: str = self.page.evaluate(FOCUSED)
        return focused

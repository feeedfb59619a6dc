"""Filling the merged application form in a browser, whatever control each field's type has."""

from __future__ import annotations

from typing import Any


def fill_field(page: Any, key: str, value: str, *, keep_prefilled: bool = False) -> None:
    """Put ``value`` into the field ``key``: a radio button, a list, a checkbox or a text box.

    ``keep_prefilled``: leave a text box that already has a value as it is.
    """
    block = page.locator(f'[data-field="{key}"]')
    radios = block.locator('input[type="radio"]')
    if radios.count():
        block.locator(f'input[type="radio"][value="{value}"]').check()
        return
    if block.locator("select").count():
        block.locator("select").select_option(value)
        return
    checkbox = block.locator('input[type="checkbox"]')
    if checkbox.count():
        checkbox.set_checked(value == "true")
        return
    control = block.locator('input:not([type="hidden"]), textarea').first
    if keep_prefilled and control.input_value():
        return
    control.fill(value)

"""Scrubbing against the corpus, the goodbooks catalogue and generated data."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_telemetry.privacy.scrub import Scrubber, is_secret_key
from tests.privacy.corpus import (
    ITEM_BARCODES,
    LOOK_ALIKES,
    PiiCase,
    goodbooks_isbns,
    goodbooks_rows,
    library_barcode,
    luhn_check_digit,
    pii_cases,
)

SCRUBBER = Scrubber()
PII_CASES = pii_cases()


def test_corpus_is_large_enough_and_covers_every_kind() -> None:
    kinds = {case.kind for case in PII_CASES}

    assert len(PII_CASES) + len(LOOK_ALIKES) >= 150
    assert kinds == {"email", "phone", "card", "ssn", "ip", "barcode", "secret", "user"}


@pytest.mark.parametrize("case", PII_CASES, ids=lambda c: f"{c.kind}:{c.text[:40]}")
def test_personal_datum_becomes_its_placeholder(case: PiiCase) -> None:
    scrubbed = SCRUBBER.scrub(case.text)

    assert scrubbed == case.expected
    assert case.value not in scrubbed


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_survives_untouched(text: str) -> None:
    assert SCRUBBER.scrub(text) == text


@pytest.mark.parametrize("barcode", ITEM_BARCODES)
def test_item_barcode_survives_while_patron_barcode_goes(barcode: str) -> None:
    patron = "2" + barcode[1:13]
    patron += luhn_check_digit(patron)

    assert SCRUBBER.scrub(f"checkin {barcode}") == f"checkin {barcode}"
    assert SCRUBBER.scrub(f"checkout to {patron}") == "checkout to [barcode]"


def test_patron_barcode_with_wrong_check_digit_is_kept() -> None:
    valid = library_barcode("2", "1234", "00012345")
    wrong = valid[:13] + str((int(valid[13]) + 1) % 10)

    assert SCRUBBER.scrub(wrong) == wrong


def test_configured_barcode_pattern_is_scrubbed() -> None:
    scrubber = Scrubber(barcode_patterns=[r"P\d{7}"])

    assert scrubber.scrub("patron P1234567 renewed") == "patron [barcode] renewed"
    assert scrubber.scrub("room AP12345678") == "room AP12345678"


def test_goodbooks_titles_and_authors_survive(shared_data: object) -> None:
    rows = goodbooks_rows()
    changed = [
        row[field]
        for row in rows
        for field in ("title", "original_title", "authors")
        if SCRUBBER.scrub(row[field]) != row[field]
    ]

    assert len(rows) == 10000
    assert changed == []


def test_goodbooks_isbns_survive(shared_data: object) -> None:
    isbns = goodbooks_isbns()
    changed = [
        isbn for isbn in isbns if SCRUBBER.scrub(f"isbn {isbn}") != f"isbn {isbn}"
    ]

    assert len(isbns) >= 150
    assert changed == []


def test_text_without_personal_data_keeps_its_invisible_characters() -> None:
    persian = "محمد اسماعیل\u200cزاده"

    assert SCRUBBER.scrub(persian) == persian
    assert SCRUBBER.scrub("School's Out—Forever") == "School's Out—Forever"


def test_text_with_personal_data_is_returned_normalised() -> None:
    scrubbed = SCRUBBER.scrub("Ｏｕｔ—Ｆｏｒｅｖｅｒ jane@example.com")

    assert scrubbed == "Out-Forever [email]"


@pytest.mark.parametrize(
    ("key", "is_secret"),
    [
        ("token", True),
        ("access_token", True),
        ("apiKey", True),
        ("X-Auth", True),
        ("user_email", True),
        ("cardnumber", True),
        ("keyword", False),
        ("q", False),
        ("page", False),
        ("sort_key", True),
        ("searchTerm", False),
    ],
)
def test_query_key_is_recognised_as_secret(key: str, is_secret: bool) -> None:
    assert is_secret_key(key) is is_secret


# Property tests ------------------------------------------------------------

_LOCAL = st.from_regex(r"[a-z][a-z0-9._+-]{0,15}[a-z0-9]", fullmatch=True)
_DOMAIN = st.from_regex(
    r"[a-z][a-z0-9-]{0,10}[a-z0-9]\.(com|org|edu|co\.uk|fr)", fullmatch=True
)
_FILLER = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30
)
_WORDS = st.from_regex(r"[A-Za-z ,;:!?()'\"-]{0,30}", fullmatch=True)


def _card_number(prefix: str, length: int, body: str) -> str:
    digits = (prefix + body)[: length - 1]
    return digits + luhn_check_digit(digits)


_CARDS = st.builds(
    _card_number,
    st.sampled_from(["4", "51", "55", "2221", "2720", "34", "37", "6011", "65"]),
    st.sampled_from([16, 15, 19, 13]),
    st.from_regex(r"[0-9]{20}", fullmatch=True),
)


@given(st.text(max_size=300))
@settings(max_examples=400)
def test_scrub_never_raises_and_is_idempotent(text: str) -> None:
    once = SCRUBBER.scrub(text)

    assert SCRUBBER.scrub(once) == once


@given(_WORDS, _LOCAL, _DOMAIN, _WORDS)
def test_generated_email_never_gets_through(
    before: str, local: str, domain: str, after: str
) -> None:
    email = f"{local}@{domain}"
    scrubbed = SCRUBBER.scrub(f"{before} {email} {after}")

    assert email not in scrubbed
    assert "[email]" in scrubbed


@given(_WORDS, _CARDS, st.sampled_from(["", " ", "-"]), _WORDS)
def test_generated_card_never_gets_through(
    before: str, card: str, separator: str, after: str
) -> None:
    written = separator.join(card[i : i + 4] for i in range(0, len(card), 4))
    scrubbed = SCRUBBER.scrub(f"{before} {written} {after}")

    assert card not in scrubbed.replace(" ", "").replace("-", "")
    assert "[card]" in scrubbed


@given(_WORDS, st.from_regex(r"[0-9]{12}", fullmatch=True), _WORDS)
def test_generated_patron_barcode_never_gets_through(
    before: str, serial: str, after: str
) -> None:
    barcode = "2" + serial
    barcode += luhn_check_digit(barcode)
    scrubbed = SCRUBBER.scrub(f"{before} {barcode} {after}")

    assert barcode not in scrubbed
    assert "[barcode]" in scrubbed


@given(_FILLER)
def test_full_width_and_hidden_characters_do_not_hide_an_email(filler: str) -> None:
    hidden = "ｊａｎｅ\u200b＠ｅｘａｍｐｌｅ\u2060．ｏｒｇ"
    scrubbed = SCRUBBER.scrub(f"{filler} {hidden} ")

    assert "[email]" in scrubbed
    assert hidden not in scrubbed
    assert "jane@example.org" not in scrubbed

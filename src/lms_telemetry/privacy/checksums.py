"""Check-digit rules that tell identifiers apart: Luhn, ISBN, ISSN, card IINs.

Scrubbing relies on these to remove a patron's card or barcode while keeping
the catalogue numbers (ISBN, ISSN) that look just like them.
"""

from __future__ import annotations


def is_luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_isbn10(chars: str) -> bool:
    """True for ten characters (digits, last may be X) with a valid mod-11 check."""
    if len(chars) != 10 or not chars[:9].isdigit():
        return False
    last = chars[9]
    if last in "xX":
        check = 10
    elif last.isdigit():
        check = int(last)
    else:
        return False
    total = sum((10 - i) * int(c) for i, c in enumerate(chars[:9])) + check
    return total % 11 == 0


def is_isbn13(digits: str) -> bool:
    """True for a 978/979 EAN-13 with a valid check digit."""
    if len(digits) != 13 or not digits.isdigit() or digits[:3] not in ("978", "979"):
        return False
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits))
    return total % 10 == 0


def is_issn(chars: str) -> bool:
    """True for eight characters (last may be X) with a valid ISSN check."""
    if len(chars) != 8 or not chars[:7].isdigit():
        return False
    last = chars[7]
    check = 10 if last in "xX" else int(last) if last.isdigit() else -1
    if check < 0:
        return False
    total = sum((8 - i) * int(c) for i, c in enumerate(chars[:7])) + check
    return total % 11 == 0


def has_card_prefix(digits: str) -> bool:
    """True when the number starts with an issuer range that payment cards use.

    Visa 4; Mastercard 51-55 and 2221-2720; American Express 34, 37; Discover
    6011, 644-649, 65; JCB 3528-3589; Diners 30, 36, 38, 39; UnionPay 62;
    Maestro 50, 56-69. Years (19xx, 20xx) fall outside every range, which is
    what keeps "2001 2002 2003 2004" from reading as a card.
    """
    first = digits[0]
    if first == "4":
        return True
    if first == "5":
        return True
    if first == "6":
        return True
    if first == "3":
        return digits[1] in "046789" or 3528 <= int(digits[:4]) <= 3589
    if first == "2":
        return 2221 <= int(digits[:4]) <= 2720
    return False

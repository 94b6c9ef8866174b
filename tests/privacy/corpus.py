"""The scrubbing corpus: personal data in the places it turns up, and the
catalogue look-alikes that must come through untouched.

Check digits are computed here with implementations of our own, written
apart from `lms_telemetry.privacy.checksums`, so the corpus does not trust
the code it tests. Real titles, authors and ISBNs come from goodbooks-10k
when ../shared/data is present.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

MARK = "§"
BOOKS_CSV = Path(__file__).resolve().parents[3] / "shared/data/goodbooks-10k/books.csv"


def luhn_check_digit(body: str) -> str:
    """The digit that makes BODY + digit pass the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def library_barcode(kind_digit: str, institution: str, serial: str) -> str:
    """A 14-digit library barcode: kind (2 patron, 3 item), 4 + 8 digits, check."""
    body = kind_digit + institution + serial
    assert len(body) == 13
    return body + luhn_check_digit(body)


def is_valid_isbn10(text: str) -> bool:
    if len(text) != 10 or not text[:9].isdigit():
        return False
    values = [int(c) for c in text[:9]] + [10 if text[9] in "Xx" else int(text[9])]
    return sum(v * w for v, w in zip(values, range(10, 0, -1))) % 11 == 0


def isbn13_of(isbn10: str) -> str:
    body = "978" + isbn10[:9]
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    return body + str((10 - total % 10) % 10)


def is_valid_issn(text: str) -> bool:
    digits = text.replace("-", "")
    values = [int(c) for c in digits[:7]] + [10 if digits[7] == "X" else int(digits[7])]
    return sum(v * w for v, w in zip(values, range(8, 0, -1))) % 11 == 0


@dataclass(frozen=True)
class PiiCase:
    kind: str
    value: str
    template: str
    replacement: str = ""

    @property
    def text(self) -> str:
        return self.template.replace(MARK, self.value)

    @property
    def expected(self) -> str:
        return self.template.replace(MARK, self.replacement or f"[{self.kind}]")


QUERY_PLACES = (
    MARK,
    "books by tolkien for " + MARK,
    MARK + " harry potter",
    "please renew my loans, contact " + MARK + " thanks",
)
MESSAGE_PLACES = (
    "TypeError: cannot load patron " + MARK + " (status 404)",
    "LoanError: " + MARK + " has 3 overdue items",
)
URL_PLACES = (
    "/opac/search?q=" + MARK + "&page=2",
    "https://opac.example.org/patrons/" + MARK + "/loans",
)
STACK_PLACES = (
    "Error: lookup failed for " + MARK + "\n    at loadPatron (app.js:10:5)",
)
EVERYWHERE = QUERY_PLACES + MESSAGE_PLACES + STACK_PLACES

PATRON_BARCODES = (
    library_barcode("2", "1234", "00012345"),
    library_barcode("2", "0042", "98765432"),
    library_barcode("2", "9001", "00000007"),
)
ITEM_BARCODES = (
    library_barcode("3", "1234", "00056789"),
    library_barcode("3", "0042", "11112222"),
    library_barcode("3", "6000", "12345678"),
)

_VALUES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "email": (
        ("jane.doe@example.com", EVERYWHERE + URL_PLACES),
        ("J.Smith+library@mail.example.co.uk", QUERY_PLACES),
        ("patron_42@uni-example.edu", MESSAGE_PLACES),
        ("jane.doe%40example.org", URL_PLACES),
        ("jane%2Edoe%40example%2Eorg", URL_PLACES),
        ("ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", QUERY_PLACES[:2]),
        ("jane\u200b.doe@exam\u200bple.com", QUERY_PLACES[:2]),
    ),
    "phone": (
        ("+44 20 7946 0958", EVERYWHERE),
        ("+1 (555) 234-5678", QUERY_PLACES),
        ("(555) 234-5678", QUERY_PLACES[:2]),
        ("555-234-5678", QUERY_PLACES[:2] + MESSAGE_PLACES[:1]),
        ("555.234.5678", QUERY_PLACES[:2]),
        ("1-800-555-0199", QUERY_PLACES[:2]),
        ("020 7946 0958", QUERY_PLACES[:2]),
        ("06 12 34 56 78", QUERY_PLACES[:2]),
        ("06.12.34.56.78", QUERY_PLACES[:1]),
        ("+33 6 12 34 56 78", QUERY_PLACES[:2]),
        ("+49 30 12345678", QUERY_PLACES[:2]),
        ("0049 30 1234567", QUERY_PLACES[:1]),
        ("030/1234567", QUERY_PLACES[:1]),
        ("07700 900123", QUERY_PLACES[:2]),
        ("+61 2 9876 5432", QUERY_PLACES[:1]),
        ("+442079460958", QUERY_PLACES[:1] + URL_PLACES[:1]),
        ("０２０ ７９４６ ０９５８", QUERY_PLACES[:1]),
        ("555–234–5678", QUERY_PLACES[:1]),
    ),
    "card": (
        ("4111 1111 1111 1111", EVERYWHERE),
        ("4111-1111-1111-1111", QUERY_PLACES[:2]),
        ("4111111111111111", QUERY_PLACES[:2] + URL_PLACES),
        ("5555 5555 5555 4444", QUERY_PLACES[:2]),
        ("3782 822463 10005", QUERY_PLACES[:2]),
        ("378282246310005", QUERY_PLACES[:1]),
        ("6011111111111117", MESSAGE_PLACES),
        ("2223 0031 2200 3222", QUERY_PLACES[:1]),
        ("3530111333300000", QUERY_PLACES[:1]),
        ("3622 720627 1667", QUERY_PLACES[:1]),
        ("４１１１ １１１１ １１１１ １１１１", QUERY_PLACES[:1]),
    ),
    "ssn": (
        ("123-45-6789", EVERYWHERE),
        ("078-05-1120", QUERY_PLACES[:2]),
        ("219 09 9999", QUERY_PLACES[:1]),
    ),
    "ip": (
        ("192.168.1.20", EVERYWHERE),
        ("203.0.113.7", URL_PLACES[:1] + MESSAGE_PLACES[:1]),
        ("10.0.0.1", QUERY_PLACES[:1]),
        ("2001:db8::8a2e:370:7334", MESSAGE_PLACES + QUERY_PLACES[:1]),
        ("fe80::1", MESSAGE_PLACES[:1]),
        ("::ffff:192.0.2.1", MESSAGE_PLACES[:1]),
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", QUERY_PLACES[:1]),
    ),
    "barcode": tuple((barcode, EVERYWHERE + URL_PLACES) for barcode in PATRON_BARCODES),
}


def _secret_cases() -> list[PiiCase]:
    urls = (
        ("/opac/account?token=" + MARK + "&lang=en", "eyJhbGciOiJIUzI1NiJ9.e30.Zm9v"),
        ("/api/loans?api_key=" + MARK, "AKIAIOSFODNN7EXAMPLE"),
        ("/login?user=" + MARK + "&password=" + MARK, "hunter2"),
        ("/cgi-bin/koha/opac-user.pl?borrowernumber=" + MARK, "51"),
        ("/renew?session=" + MARK + "#top", "8f14e45fceea167a5a36"),
        ("/callback#access_token=" + MARK + "&expires=3600", "ya29.a0AfH6SM"),
        ("/self-check?patron=" + MARK, "JaneDoe"),
        ("/pay?card=" + MARK + "&amount=5", "visa-ending-1111"),
        ("/auth?sid=" + MARK, "abcdef012345"),
        ("/opac?searchTerm=tolkien&apiKey=" + MARK, "k3y"),
        ("/login?next=/account?token=" + MARK, "nested-7d2f"),
        ("/login?next=%2Faccount%3Ftoken%3D" + MARK + "%26lang%3Den", "encoded-9a1c"),
    )
    return [PiiCase("secret", value, template) for template, value in urls]


def _user_cases() -> list[PiiCase]:
    return [
        PiiCase(
            "user",
            "/home/jane/",
            'File "' + MARK + 'lms/views.py", line 4',
            "/home/[user]/",
        ),
        PiiCase(
            "user",
            "/Users/jane.doe/",
            "open " + MARK + "Library/x.db failed",
            "/Users/[user]/",
        ),
        PiiCase(
            "user",
            "C:\\Users\\Jane Doe\\",
            "at " + MARK + "AppData\\app.js:3",
            "C:\\Users\\[user]\\",
        ),
        PiiCase(
            "user",
            "C:/Users/bob/",
            "ENOENT " + MARK + "Desktop/list.csv",
            "C:/Users/[user]/",
        ),
        PiiCase(
            "user",
            "file:///home/jsmith/",
            "loaded " + MARK + "catalog.html",
            "file:///home/[user]/",
        ),
    ]


def pii_cases() -> list[PiiCase]:
    """Every personal-data case: the text, and what scrubbing must make of it."""
    cases = [
        PiiCase(kind, value, template)
        for kind, values in _VALUES.items()
        for value, templates in values
        for template in templates
    ]
    cases += _secret_cases() + _user_cases()
    cases.append(PiiCase("ssn", "123456789", "patron ssn: " + MARK, "[ssn]"))
    return cases


LOOK_ALIKES: tuple[str, ...] = (
    # ISBNs and ISSNs with valid check digits, written several ways.
    "978-0-439-02348-1",
    "9780439023481",
    "ISBN 0-439-02348-3",
    "0439023483",
    "isbn:0-306-40615-2",
    "978 0 306 40615 7",
    "080442957X",
    "0-8044-2957-X",
    "ISSN 0028-0836",
    "0036-8075",
    "issn 0140-6736",
    "0098-7484",
    "0363-0277",
    "2049-3630",
    # Call numbers (LC, Dewey, local).
    "QA76.73.P98 L858 2019",
    "PS3545.I345 Z5 2003",
    "823.914 ROW",
    "FIC TOL",
    "005.133 PYT 2019",
    "PZ7.R79835 Har 1998",
    "E184.A1 W45 1993",
    "Ref 031 ENC 2010",
    "J 599.75 SMI",
    "BF175.5.D74 F74 1989",
    "HV6432.7 .W74 2006",
    "808.83 C72 v.2",
    "025.04 DEW",
    # Years, ranges and dates.
    "1984",
    "published 2008",
    "1999-2005",
    "2023-01-15",
    "15/01/2023",
    "01.15.2023",
    "January 15, 2023",
    "2008-09-14T10:30:00Z",
    "1850-1900",
    "20 May 2021",
    "the 1990s",
    "1939–45",
    "books from 1900 to 1950",
    "11/22/63",
    "2001: A Space Odyssey",
    "Fahrenheit 451",
    "Catch-22",
    # Other numbers that are not personal.
    "item 1234567",
    "record 12345678",
    "page 123 of 456",
    "version 3.11.4",
    "opac-detail.pl?biblionumber=123456",
    "/catalog/item/98765/holdings",
    "results 1-20 of 3456",
    "load 1200 ms",
    "12:30:45",
    "std::vector<int>",
    "/search?q=tolkien&keyword=hobbit&sort=date",
    "/opac?searchTerm=tolkien",
    "LCCN 2001012345",
    "OCLC ocm12345678",
    "price 12.99",
    "Dewey 005.1",
)


def goodbooks_rows(limit: int | None = None) -> list[dict[str, str]]:
    """Rows of goodbooks-10k's books.csv, or an empty list when it is absent."""
    if not BOOKS_CSV.exists():
        return []
    with BOOKS_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return rows[:limit] if limit else rows


def goodbooks_isbns(limit: int = 200) -> list[str]:
    """Valid ISBN-10s from goodbooks (zero-padded), with their ISBN-13s."""
    found: list[str] = []
    for row in goodbooks_rows():
        isbn10 = row["isbn"].strip().zfill(10)
        if is_valid_isbn10(isbn10):
            found += (isbn10, isbn13_of(isbn10))
        if len(found) >= limit:
            break
    return found

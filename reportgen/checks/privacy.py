"""Privacy scan of a training or audit table: identifiers, special categories, k, l.

Contract
--------
Every function here is pure: it takes a :class:`pandas.DataFrame` (or column names)
and returns frozen dataclasses made only of ``str``, ``int``, ``float``, ``bool``,
``None`` and tuples of them, so that :func:`dataclasses.asdict` followed by
:func:`json.dumps` serialises any result. Nothing is printed, logged, written or
plotted. Random sampling is seeded, so the same table and seed give the same result.

What a finding may contain
    Findings say *where* personal data sits and *how much of it*, never *what* it
    is: :class:`IdentifierFinding` carries a column name, a kind and counts, and
    never a matched value. The one deliberate exception is
    :class:`EquivalenceClass`, which reports the quasi-identifier values of the
    smallest k-anonymity classes (generalised attributes such as an age band and a
    postcode) so that a reviewer can see which combinations are rare; such a
    report is meant for internal review, not publication.

Missing values
    A missing value (``None``, ``NaN``, ``pd.NA``) is a value of its own wherever
    values are grouped: in k-anonymity and l-diversity classes, in the categories
    of a proxy feature and in the groups of a protected attribute. It is never
    silently dropped (:func:`l_diversity` can be told not to count it as a
    distinct sensitive value).

The checks are screening heuristics that point a human reviewer at columns worth a
look; none of them decides whether processing is lawful. The GDPR fixes no value of
k or l and no proxy threshold: every threshold here is a documented module constant
(or, for k, a parameter), every finding carries its raw measure so that a profile
can judge it against a threshold of its own, and a report must label these
thresholds as heuristics.

Limitation: names and postal addresses are found by column name only; recognising
them in values would need name and street dictionaries for every language. The
column-name vocabularies are English.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from reportgen.errors import InputError

# --------------------------------------------------------------------------------
# Thresholds and settings (screening heuristics, not law)
# --------------------------------------------------------------------------------

#: A column is flagged by a value pattern when at least this share of its
#: non-missing sampled values matches (and at least ``VALUE_MIN_MATCHES`` do).
VALUE_MIN_SHARE = 0.05
VALUE_MIN_MATCHES = 1

#: Random 13-19 digit strings pass the card checks (a leading 2-6 and the Luhn
#: checksum) about 5 % of the time. A column is flagged as holding payment cards only
#: when at least this share of its card-shaped values passes, five times chance.
CARD_MIN_VALID_RATE = 0.25

#: Distinct values (compared case-insensitively) of a yes/no indicator. A column
#: named like an identifier whose sampled values are all among these (or of boolean
#: dtype), such as German credit's ``telephone`` (yes/none), holds a fact *about*
#: the identifier, not the identifier, and is not flagged by its name.
INDICATOR_VALUES = frozenset(
    {"yes", "no", "none", "true", "false", "y", "n", "t", "f", "0", "1", "0.0", "1.0"}
    | {"present", "absent", "available", "unavailable", "unknown", "missing", ""}
)

#: Proxy screening: a feature is a *strong* proxy of a protected attribute when the
#: cross-validated AUC of a one-feature classifier or the bias-corrected Cramér's V
#: reaches the strong value, *moderate* when either reaches the moderate value.
PROXY_STRONG_AUC = 0.8
PROXY_STRONG_V = 0.5
PROXY_MODERATE_AUC = 0.7
PROXY_MODERATE_V = 0.3

#: Numeric features (and protected attributes) with more distinct values than this
#: are cut into at most this many quantile bins.
PROXY_MAX_BINS = 10
#: Stratified folds of the cross-validated AUC.
PROXY_FOLDS = 3
#: Pseudo-count that shrinks a feature level's group shares toward the training
#: fold's overall shares, so that rare levels do not get extreme scores.
PROXY_SMOOTHING = 1.0

Strength = Literal["strong", "moderate", "weak", "undetermined"]
DetectedBy = Literal["column_name", "value_pattern"]

# --------------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------------

ERR_NOT_FRAME = "frame must be a pandas DataFrame; got {}."
ERR_POSITIVE_INT = "{} must be a positive integer; got {!r}."
ERR_NON_NEGATIVE_INT = "{} must be a non-negative integer; got {!r}."
ERR_NO_QUASI_IDENTIFIERS = "quasi_identifiers must name at least one column."
ERR_MISSING_COLUMNS = "{} not found in the table: {}."
ERR_SENSITIVE_IS_QUASI = (
    "The sensitive column {!r} is also a quasi-identifier; l-diversity needs them "
    "apart."
)

# --------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------


class _Serialisable:
    """Mixin giving frozen result dataclasses a JSON-ready ``to_dict``."""

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as plain Python values (JSON-serialisable)."""
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class IdentifierFinding(_Serialisable):
    """A column that appears to hold a direct identifier.

    Attributes
    ----------
    column : str
        The column's name, as a string.
    kind : str
        What the identifier looks like; one of :data:`IDENTIFIER_KINDS`.
    detected_by : {"column_name", "value_pattern"}
        Whether the column's name or the values of a sample of its rows gave it
        away. A column can have one finding of each.
    matches : int or None
        Sampled values that matched the pattern; ``None`` for a column-name
        finding. The values themselves are never kept.
    sampled : int or None
        Non-missing sampled values examined; ``None`` for a column-name finding.
    share : float or None
        ``matches / sampled``; ``None`` for a column-name finding.
    matched_term : str or None
        For a column-name finding, the term of the name that matched (e.g.
        ``"first name"``); ``None`` for a value-pattern finding.
    """

    column: str
    kind: str
    detected_by: DetectedBy
    matches: int | None = None
    sampled: int | None = None
    share: float | None = None
    matched_term: str | None = None


@dataclass(frozen=True)
class SpecialCategoryFinding(_Serialisable):
    """A column whose name points to a GDPR Art. 9(1) special category of data.

    Attributes
    ----------
    column : str
        The column's name, as a string.
    category : str
        One of the keys of :data:`SPECIAL_CATEGORIES`.
    matched_term : str
        The term of the column name that matched, its words joined by spaces.
    """

    column: str
    category: str
    matched_term: str


@dataclass(frozen=True)
class EquivalenceClass(_Serialisable):
    """One combination of quasi-identifier values and the number of rows that share it.

    Attributes
    ----------
    size : int
        Rows in the class.
    values : tuple of (str or None)
        The class's value of each quasi-identifier, in the order given, as a
        string; ``None`` where the value is missing. These values can themselves
        be identifying: keep reports that show them internal.
    """

    size: int
    values: tuple[str | None, ...]


@dataclass(frozen=True)
class KAnonymityResult(_Serialisable):
    """k-anonymity of a table over its quasi-identifiers.

    Attributes
    ----------
    quasi_identifiers : tuple of str
        The columns that define the equivalence classes.
    n_rows : int
        Rows in the table.
    k : int
        Size of the smallest equivalence class; 0 for an empty table.
    n_classes : int
        Number of equivalence classes (distinct value combinations).
    k_threshold : int
        The k the table is judged against.
    meets_threshold : bool
        ``k >= k_threshold`` (False for an empty table).
    classes_below_threshold : int
        Classes with fewer than ``k_threshold`` rows.
    rows_below_threshold : int
        Rows in those classes: the people who are easiest to single out.
    smallest_classes : tuple of EquivalenceClass
        Up to ``smallest`` classes, smallest first; ties keep the order in which
        the classes first appear in the table.
    """

    quasi_identifiers: tuple[str, ...]
    n_rows: int
    k: int
    n_classes: int
    k_threshold: int
    meets_threshold: bool
    classes_below_threshold: int
    rows_below_threshold: int
    smallest_classes: tuple[EquivalenceClass, ...]


@dataclass(frozen=True)
class LDiversityResult(_Serialisable):
    """Distinct l-diversity of a sensitive column within quasi-identifier classes.

    Attributes
    ----------
    quasi_identifiers : tuple of str
        The columns that define the equivalence classes.
    sensitive : str
        The sensitive column.
    n_rows : int
        Rows in the table.
    l : int
        Fewest distinct sensitive values in any class; 0 for an empty table.
    n_classes : int
        Number of equivalence classes.
    classes_at_minimum : int
        Classes whose number of distinct sensitive values equals ``l``.
    rows_at_minimum : int
        Rows in those classes.
    count_missing : bool
        Whether a missing sensitive value counted as a distinct value.
    """

    quasi_identifiers: tuple[str, ...]
    sensitive: str
    n_rows: int
    l: int  # noqa: E741 - the standard name of the measure
    n_classes: int
    classes_at_minimum: int
    rows_at_minimum: int
    count_missing: bool


@dataclass(frozen=True)
class ProxyFinding(_Serialisable):
    """How well one feature on its own reveals one protected attribute.

    Attributes
    ----------
    feature : str
        The feature column.
    protected : str
        The protected attribute column.
    cramers_v : float or None
        Bias-corrected Cramér's V (Bergsma 2013) between the feature's levels and
        the protected groups, in [0, 1]; ``None`` if the protected attribute has a
        single group in the sample.
    auc : float or None
        Cross-validated ROC AUC of a one-feature classifier of the protected group
        (macro one-vs-rest over groups when there are more than two); ``None`` when
        undefined.
    strength : {"strong", "moderate", "weak", "undetermined"}
        Screening verdict from :data:`PROXY_STRONG_AUC` and the other thresholds;
        "undetermined" when neither measure is defined.
    n_rows : int
        Rows used (the sample).
    n_levels : int
        Categories or bins of the feature, missing counted as one.
    n_groups : int
        Groups of the protected attribute, missing counted as one.
    binned : bool
        Whether the feature was cut into quantile bins.
    """

    feature: str
    protected: str
    cramers_v: float | None
    auc: float | None
    strength: Strength
    n_rows: int
    n_levels: int
    n_groups: int
    binned: bool


# --------------------------------------------------------------------------------
# Column-name vocabulary
# --------------------------------------------------------------------------------

# A term is a tuple of words. It matches a column name when, after the name is split
# into lower-case words (snake, kebab and camel case), some run of consecutive words
# spells the term with the spaces removed: ("first", "name") matches "first_name",
# "firstName" and "firstname", but never a part of a word ("race" is not in
# "trace"). Terms marked whole match only a name made of exactly those words.

_TermTable = dict[str, tuple[tuple[str, ...], ...]]

_PERSON_QUALIFIERS = (
    "customer, client, applicant, employee, patient, person, cardholder, borrower, "
    "candidate, student, member, subscriber, policyholder, citizen, beneficiary, "
    "insured"
)
_NAME_QUALIFIERS = (
    "first, last, full, given, family, middle, maiden, customer, client, applicant, "
    "employee, patient, person, contact, holder, cardholder, account, borrower, "
    "candidate, student, member, owner, spouse, father, mother"
)


def _terms(phrases: str) -> tuple[tuple[str, ...], ...]:
    """Parse comma-separated phrases into terms (tuples of words)."""
    return tuple(tuple(p.split()) for p in phrases.split(",") if p.strip())


def _qualified(qualifiers: str, words: str) -> tuple[tuple[str, ...], ...]:
    """Every ``qualifier word`` term, e.g. ("customer", "id")."""
    return tuple((q, w) for (q,) in _terms(qualifiers) for (w,) in _terms(words))


# kind -> (terms matching anywhere in the name, terms matching the whole name)
_IDENTIFIER_NAME_TERMS: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = {
    "person_name": (
        _terms("surname, forename, forenames, sur name, fore name")
        + _qualified(_NAME_QUALIFIERS, "name"),
        _terms("name, names"),
    ),
    "online_identifier": (
        _terms(
            "user name, login name, login id, screen name, device id, mac address, "
            "imei, cookie id, advertising id"
        ),
        (),
    ),
    "email": (_terms("email, mail address, email address"), ()),
    "phone": (
        _terms(
            "phone, telephone, tel, phone number, mobile number, mobile phone, "
            "cell phone, cell number, fax, msisdn, contact number"
        ),
        _terms("mobile, cell"),
    ),
    "us_ssn": (_terms("ssn, social security, social security number"), ()),
    "national_id": (
        _terms(
            "passport, passport number, national id, national identity, "
            "national insurance, nino, tax id, tax number, tax identification, "
            "driver license, drivers license, driver licence, driving licence, "
            "driving license, id card, identity card, personal id, nhs number"
        ),
        _terms("tin"),
    ),
    "iban": (_terms("iban"), ()),
    "account_number": (
        _terms(
            "account number, account no, account nr, account num, acct number, "
            "acct no, acct num, routing number, sort code"
        ),
        _terms("bank account"),
    ),
    "payment_card": (
        _terms("card number, card no, card num, cc number, ccn, cvv, cvc"),
        _terms("credit card, debit card, cc"),
    ),
    "postal_address": (
        _terms(
            "address, addr, street, street address, house number, address line, "
            "postal address"
        ),
        (),
    ),
    "postcode": (_terms("zip, zip code, postcode, postal code"), ()),
    "ip_address": (
        _terms("ip, ip address, ip addr, ipv4, ipv6"),
        (),
    ),
    "date_of_birth": (
        _terms("dob, date of birth, birth date, birthday, birth day"),
        (),
    ),
    "customer_id": (
        _qualified(_PERSON_QUALIFIERS, "id, number, no")
        + _terms("user id, account id"),
        _terms("id, uuid, guid"),
    ),
}

# Kinds that a numeric column cannot hold; a numeric column is not flagged as one of
# these by its name.
_TEXT_ONLY_KINDS = frozenset(
    {"person_name", "online_identifier", "email", "iban", "postal_address"}
)

# Identifier kinds that values can reveal (the others come from names only).
_VALUE_KINDS = ("email", "phone", "us_ssn", "payment_card", "iban", "ip_address")

#: The kinds an :class:`IdentifierFinding` can have.
IDENTIFIER_KINDS = tuple(_IDENTIFIER_NAME_TERMS)

#: GDPR Art. 9(1) categories, keyed as reported in findings.
SPECIAL_CATEGORIES = {
    "racial_or_ethnic_origin": "data revealing racial or ethnic origin",
    "political_opinions": "data revealing political opinions",
    "religious_or_philosophical_beliefs": (
        "data revealing religious or philosophical beliefs"
    ),
    "trade_union_membership": "data revealing trade union membership",
    "genetic_data": "genetic data",
    "biometric_data": "biometric data for the purpose of uniquely identifying a person",
    "health": "data concerning health",
    "sex_life_or_sexual_orientation": (
        "data concerning a natural person's sex life or sexual orientation"
    ),
}

# Sex, gender and age are protected attributes in anti-discrimination law but not
# Art. 9 special categories, so none of these terms names them. Gender identity is
# not named in Art. 9(1) either; it is flagged under sex life or sexual orientation
# as a conservative screening choice, because it can reveal sex life or health data
# (such as a medical transition). "union" alone is not a term: "credit union" and
# "European Union" are common and unrelated, while "union member", "unionized" and
# "trade union" are. "disabled" and "christian" are left out on purpose: in tables
# they more often mean a switched-off account and a first name ("christian name").
_SPECIAL_TERMS: _TermTable = {
    "racial_or_ethnic_origin": _terms(
        "race, races, racial, ethnicity, ethnicities, ethnic, ethnic origin, "
        "ethnic group, skin color, skin colour, caste, hispanic, latino, latina, "
        "latinx, indigenous"
    ),
    "political_opinions": _terms(
        "political, politics, political party, party affiliation, party membership, "
        "party member, voting intention, vote intention, ideology, political view, "
        "political views"
    ),
    "religious_or_philosophical_beliefs": _terms(
        "religion, religions, religious, religiosity, faith, belief, beliefs, "
        "church, denomination, philosophical, worship, muslim, jewish, hindu, "
        "buddhist, atheist, sikh"
    ),
    "trade_union_membership": _terms(
        "trade union, labor union, labour union, union member, union members, "
        "union membership, unionized, unionised, union dues, union status, "
        "union affiliation"
    ),
    "genetic_data": _terms(
        "genetic, genetics, genome, genomic, genotype, dna, gene, genes, snp, allele"
    ),
    "biometric_data": _terms(
        "biometric, biometrics, fingerprint, fingerprints, faceprint, face template, "
        "facial template, face embedding, face recognition, facial recognition, "
        "facial geometry, iris scan, retina scan, retinal scan, voiceprint, "
        "voice print, palm print, palmprint"
    ),
    "health": _terms(
        "health, medical, diagnosis, diagnoses, diagnosed, disease, diseases, "
        "illness, disability, disabilities, pregnancy, pregnant, medication, "
        "medications, prescription, symptom, symptoms, hiv, cancer, diabetes, "
        "diabetic, mental health, psychiatric, bmi, blood type, blood pressure, icd, "
        "hospital, hospitalization, hospitalisation, smoker, smoking, vaccination, "
        "vaccinated, allergy, allergies, sick leave, injury, handicap, impairment, "
        "clinical"
    ),
    "sex_life_or_sexual_orientation": _terms(
        "sexual orientation, sex life, sexual life, sexuality, sexual preference, "
        "sexual behavior, sexual behaviour, sexual partner, sexual partners, lgbt, "
        "lgbtq, gay, lesbian, bisexual, homosexual, heterosexual, gender identity, "
        "transgender"
    ),
}

# Word runs blanked out before matching special-category terms.
_SPECIAL_EXCLUSIONS = _terms("credit union, european union, soviet union")
_CATEGORY_ORDER = {category: i for i, category in enumerate(SPECIAL_CATEGORIES)}


_MAX_TERM_WORDS = 4
_CAMEL_1 = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_2 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_LETTER_DIGIT = re.compile(r"([^\W\d_])(\d)")
_WORD_SPLIT = re.compile(r"[\W_]+")


def _words(name: Hashable) -> tuple[str, ...]:
    """Split a column name into lower-case words (snake, kebab, camel case)."""
    text = str(name)
    text = _CAMEL_1.sub(r"\1 \2", text)
    text = _CAMEL_2.sub(r"\1 \2", text)
    text = _LETTER_DIGIT.sub(r"\1 \2", text)
    return tuple(w for w in _WORD_SPLIT.split(text.casefold()) if w)


def _runs(words: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """Map each run of consecutive words, joined, to the spans it occupies.

    An empty word is a blank that no run crosses.
    """
    runs: dict[str, list[tuple[int, int]]] = {}
    for start in range(len(words)):
        for stop in range(start + 1, min(start + _MAX_TERM_WORDS, len(words)) + 1):
            chunk = words[start:stop]
            if "" in chunk:
                break
            runs.setdefault("".join(chunk), []).append((start, stop))
    return runs


def _term_matches(
    words: Sequence[str], table: _TermTable, whole_terms: _TermTable | None = None
) -> list[tuple[str, str, int, int]]:
    """All (key, term, start, stop) matches of a term table against some words."""
    runs = _runs(words)
    whole_name = "".join(words) if "" not in words else None
    found = []
    for key, terms in table.items():
        for term in terms:
            for start, stop in runs.get("".join(term), ()):
                found.append((key, " ".join(term), start, stop))
        for term in (whole_terms or {}).get(key, ()):
            if whole_name == "".join(term):
                found.append((key, " ".join(term), 0, len(words)))
    return found


def _most_specific(
    found: list[tuple[str, str, int, int]],
) -> list[tuple[str, str]]:
    """Drop matches inside a longer match; keep the first term of each key."""
    kept: dict[str, str] = {}
    for key, term, start, stop in found:
        inside = any(
            s <= start and stop <= e and (e - s) > (stop - start)
            for _, _, s, e in found
        )
        if not inside and key not in kept:
            kept[key] = term
    return list(kept.items())


def _blank_exclusions(words: tuple[str, ...]) -> list[str]:
    out = list(words)
    for term in _SPECIAL_EXCLUSIONS:
        width = len(term)
        for i in range(len(words) - width + 1):
            if words[i : i + width] == term:
                out[i : i + width] = [""] * width
    return out


# --------------------------------------------------------------------------------
# Value patterns
# --------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
# A US SSN written with dashes or spaces; the area (first three digits) cannot be
# 000, 666 or 900-999, the group cannot be 00 and the serial cannot be 0000.
_SSN = re.compile(
    r"(?<![\d\-])(?!000|666|9\d\d)\d{3}([\- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d\-])"
)
# 13 to 19 digits, single spaces or dashes allowed between them.
_CARD_CANDIDATE = re.compile(r"(?<![\d+])\d(?:[ \-]?\d){12,18}(?!\d)")
_IBAN_CANDIDATE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_IPV4 = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
    r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)"
)
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:.")
_TOKEN_STRIP = "[](){}<>,;\"'"

# Phone numbers are matched on the whole value only (not inside free text), in three
# shapes: international (+ or 00, then 8-15 digits, as E.164 allows); North
# American with separators, e.g. (555) 123-4567; national with a trunk prefix 0,
# e.g. 030 1234567 or 07700 900123, with 10-12 digits. A plain digit string is a
# phone only in the last shape (0 then 9-10 more digits), so small integers, years
# and other numbers never match.
_PHONE_INTL = re.compile(r"(?:\+|00)[1-9][0-9 ().\-/]{6,24}")
_PHONE_NANP = re.compile(
    r"(?:\+?1[ .\-]?)?(?:\([2-9]\d{2}\)[ .\-]?|[2-9]\d{2}[ .\-])[2-9]\d{2}[ .\-]\d{4}"
)
_PHONE_TRUNK = re.compile(
    r"(?:\(0[1-9]\d*\)[ .\-/]?\d{2,}|0[1-9]\d*)(?:[ .\-/]\d{2,})*"
)
_DECIMAL = re.compile(r"[+\-]?\d*\.\d+")
_NON_DIGIT = re.compile(r"\D")


def _luhn_valid(digits: str) -> bool:
    """True if a string of digits passes the Luhn checksum."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = ord(char) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _iban_valid(candidate: str) -> bool:
    """True if a compact upper-case IBAN passes the ISO 13616 mod-97 check."""
    rearranged = candidate[4:] + candidate[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and _luhn_valid(digits)


def _card_status(text: str) -> tuple[bool, bool]:
    """(card-shaped, valid card) for one value."""
    shaped = False
    for match in _CARD_CANDIDATE.finditer(text):
        shaped = True
        if _is_card(_NON_DIGIT.sub("", match.group())):
            return True, True
    return shaped, False


def _is_phone(text: str) -> bool:
    if _DECIMAL.fullmatch(text):
        return False
    n_digits = len(_NON_DIGIT.sub("", text))
    if _PHONE_INTL.fullmatch(text):
        if text.startswith("00"):
            n_digits -= 2
        return 8 <= n_digits <= 15
    if _PHONE_NANP.fullmatch(text):
        return True
    if _PHONE_TRUNK.fullmatch(text):
        if text.isdigit():
            return 10 <= n_digits <= 11
        return 10 <= n_digits <= 12
    return False


def _has_ipv6(text: str) -> bool:
    if text.count(":") < 2:
        return False
    for token in text.split():
        token = token.strip(_TOKEN_STRIP)
        if token.startswith("[") or "]" in token:
            token = token.lstrip("[").split("]")[0]
        token = token.split("%")[0]
        if token.count(":") < 2 or not set(token) <= _IPV6_CHARS:
            continue
        try:
            ipaddress.IPv6Address(token)
        except ValueError:
            continue
        return True
    return False


def _has_iban(text: str) -> bool:
    upper = text.upper()
    candidates = [re.sub(r"[\s\-]", "", upper)]
    candidates += [t.strip(_TOKEN_STRIP + ".:") for t in upper.split()]
    for candidate in candidates:
        if _IBAN_CANDIDATE.fullmatch(candidate) and _iban_valid(candidate):
            return True
    return False


def _string_kinds(text: str) -> tuple[set[str], bool]:
    """Identifier kinds found in one string value, and whether it is card-shaped."""
    text = text.strip()
    kinds: set[str] = set()
    if "@" in text and _EMAIL.search(text):
        kinds.add("email")
    has_digit = any(c.isdigit() for c in text)
    card_shaped = False
    if has_digit:
        if _is_phone(text):
            kinds.add("phone")
        if _SSN.search(text):
            kinds.add("us_ssn")
        card_shaped, is_card = _card_status(text)
        if is_card:
            kinds.add("payment_card")
        if _has_iban(text):
            kinds.add("iban")
        if "." in text and _IPV4.search(text):
            kinds.add("ip_address")
    if "ip_address" not in kinds and _has_ipv6(text):
        kinds.add("ip_address")
    return kinds, card_shaped


# --------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------


def _check_frame(frame: Any) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(ERR_NOT_FRAME.format(type(frame).__name__))


def _check_int(name: str, value: Any, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        ok = False
    else:
        ok = value >= minimum
    if not ok:
        template = ERR_POSITIVE_INT if minimum > 0 else ERR_NON_NEGATIVE_INT
        raise ValueError(template.format(name, value))


def _as_list(columns: Any) -> list[Hashable]:
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def _check_columns(frame: pd.DataFrame, what: str, columns: list[Hashable]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            ERR_MISSING_COLUMNS.format(what, ", ".join(repr(c) for c in missing))
        )


def _sample_positions(n_rows: int, sample_size: int, seed: int) -> np.ndarray | None:
    """Sorted row positions of a seeded sample, or None to use every row."""
    if n_rows <= sample_size:
        return None
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=sample_size, replace=False))


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column with missing as a code of its own, and the uniques.

    Codes follow first appearance in the column.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)


def _class_codes(frame: pd.DataFrame, columns: list[Hashable]) -> np.ndarray:
    """Equivalence class of every row over some columns, by first appearance."""
    key = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        codes, uniques = _codes(frame[column])
        key, _ = pd.factorize(key * max(len(uniques), 1) + codes)
        key = key.astype(np.int64, copy=False)
    return key


def _value_label(value: Any) -> str | None:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    return str(value)


# --------------------------------------------------------------------------------
# 1. Direct identifiers
# --------------------------------------------------------------------------------


def _is_indicator(column: pd.Series) -> bool:
    """True if a column looks like a yes/no flag rather than identifier values."""
    if pd.api.types.is_bool_dtype(column.dtype):
        return True
    values = column.dropna()
    if len(values) == 0:
        return False
    distinct = {str(v).strip().casefold() for v in values.unique()[:50]}
    return len(distinct) <= 3 and distinct <= INDICATOR_VALUES


_NAME_ANYWHERE: _TermTable = {k: t[0] for k, t in _IDENTIFIER_NAME_TERMS.items()}
_NAME_WHOLE: _TermTable = {k: t[1] for k, t in _IDENTIFIER_NAME_TERMS.items()}


def _name_findings(column: Hashable, sample: pd.Series) -> list[IdentifierFinding]:
    matches = _most_specific(_term_matches(_words(column), _NAME_ANYWHERE, _NAME_WHOLE))
    if not matches or _is_indicator(sample):
        return []
    if pd.api.types.is_numeric_dtype(sample.dtype):
        # A number cannot be a name, e-mail or street address: "address_years" or
        # "email_count" describe the identifier rather than hold it.
        matches = [(k, t) for k, t in matches if k not in _TEXT_ONLY_KINDS]
    return [
        IdentifierFinding(
            column=str(column), kind=kind, detected_by="column_name", matched_term=term
        )
        for kind, term in sorted(matches)
    ]


def _value_findings(column: Hashable, sample: pd.Series) -> list[IdentifierFinding]:
    dtype = sample.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return []
    non_missing = sample[sample.notna()]
    sampled = len(non_missing)
    if sampled == 0:
        return []

    # Integers: only the payment-card check (a 9-digit number is indistinguishable
    # from an SSN without its dashes, and lost leading zeros make it worse).
    counts: Counter[str] = Counter()
    card_shaped = 0
    if pd.api.types.is_integer_dtype(dtype):
        for value in non_missing.to_numpy(dtype=object):
            if value < 10**12:
                continue
            digits = str(int(value))
            if 13 <= len(digits) <= 19:
                card_shaped += 1
                if _is_card(digits):
                    counts["payment_card"] += 1
    elif (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    ):
        return []
    else:
        for value, n in Counter(str(v) for v in non_missing.to_numpy()).items():
            kinds, shaped = _string_kinds(value)
            card_shaped += n * shaped
            for kind in kinds:
                counts[kind] += n

    findings = []
    for kind in _VALUE_KINDS:
        n_match = counts.get(kind, 0)
        share = n_match / sampled
        if n_match < VALUE_MIN_MATCHES or share < VALUE_MIN_SHARE:
            continue
        if kind == "payment_card" and n_match < CARD_MIN_VALID_RATE * card_shaped:
            continue
        findings.append(
            IdentifierFinding(
                column=str(column),
                kind=kind,
                detected_by="value_pattern",
                matches=int(n_match),
                sampled=int(sampled),
                share=float(share),
            )
        )
    return findings


def scan_identifiers(
    frame: pd.DataFrame, *, sample_size: int = 10_000, seed: int = 0
) -> list[IdentifierFinding]:
    """Find columns that hold direct identifiers, by name and by value patterns.

    By name: the column name is split into words and compared with a vocabulary of
    identifier terms (name, e-mail, phone, SSN, passport, IBAN, account and card
    numbers, address, postcode, IP address, date of birth, customer ID...). A
    column whose sampled values are all yes/no-like (:data:`INDICATOR_VALUES`) or
    boolean is not flagged by name: ``telephone`` holding yes/none says whether a
    phone exists, not which.

    By value: the same seeded random sample of rows is examined in every column.
    String-like columns (string, object, categorical) are searched for e-mail
    addresses, US SSNs (dashed or spaced, invalid areas 000, 666 and 9xx
    excluded), payment cards (13-19 digits, leading 2-6, Luhn checksum), IBANs
    (mod-97 checksum) and IPv4/IPv6 addresses anywhere in a value, and whole values
    are compared with phone number shapes. Integer columns are checked for payment
    cards only; float, boolean and datetime columns are not examined by value. A
    kind is reported when at least :data:`VALUE_MIN_SHARE` of the non-missing
    sampled values (and at least :data:`VALUE_MIN_MATCHES`) match; payment cards
    also need :data:`CARD_MIN_VALID_RATE` of the card-shaped values to be valid.
    A numeric column is not flagged by name as a kind that only text can hold
    (a person's name, e-mail, online identifier, IBAN, postal address), so that
    ``address_years`` or ``email_count`` stay quiet.

    Limitation: phone numbers are recognised as whole values only, not inside free
    text; SSNs without separators (and any SSN stored as a number) are found by
    column name only, since a bare 9-digit number could be anything; names and
    postal addresses are found by column name only.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to scan.
    sample_size : int, default=10_000
        Rows examined by value; all rows when the table is no larger.
    seed : int, default=0
        Seed of the row sample.

    Returns
    -------
    list of IdentifierFinding
        In column order; within a column, name findings first (by kind), then
        value findings. The matched values themselves are never returned.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"contact": ["ann@example.org", "bo@example.net"]})
    >>> [(f.kind, f.detected_by, f.matches) for f in scan_identifiers(table)]
    [('email', 'value_pattern', 2)]
    """
    _check_frame(frame)
    _check_int("sample_size", sample_size, minimum=1)
    positions = _sample_positions(len(frame), sample_size, seed)
    rows = frame if positions is None else frame.iloc[positions]

    findings: list[IdentifierFinding] = []
    for j, column in enumerate(frame.columns):
        sample = rows.iloc[:, j]
        findings += _name_findings(column, sample)
        findings += _value_findings(column, sample)
    return findings


# --------------------------------------------------------------------------------
# 2. Special categories (GDPR Art. 9)
# --------------------------------------------------------------------------------


def special_category_columns(
    columns: Iterable[Hashable],
) -> list[SpecialCategoryFinding]:
    """Find columns whose names point to GDPR Art. 9(1) special categories.

    Each name is split into lower-case words (snake, kebab and camel case) and
    compared word by word, never by substring, with terms for each category:
    "race" matches ``race`` and ``applicant_race`` but not ``trace``; "purpose"
    matches nothing. "union" alone is not a term, because "credit union" and
    "European Union" are common in finance data; "trade union", "union member" and
    "unionized" are. Sex, gender and age are protected attributes but not special
    categories under Art. 9 and are not reported; gender identity is reported
    under sex life or sexual orientation as a conservative choice for review.

    Limitation: the vocabulary is English; a column named ``Religion`` is found, one
    named ``Konfession`` or ``salud`` is not. Only names are read: a special
    category hidden behind a neutral name (``attr_7``) needs a human eye.

    Parameters
    ----------
    columns : iterable of hashable
        Column names, e.g. ``frame.columns``.

    Returns
    -------
    list of SpecialCategoryFinding
        In column order; a name matching several categories gives one finding per
        category, in the order of :data:`SPECIAL_CATEGORIES`.

    Examples
    --------
    >>> [f.category for f in special_category_columns(["tradeUnionMember", "age"])]
    ['trade_union_membership']
    """
    findings = []
    for column in columns:
        words = _blank_exclusions(_words(column))
        matched = _most_specific(_term_matches(words, _SPECIAL_TERMS))
        findings += [
            SpecialCategoryFinding(column=str(column), category=cat, matched_term=term)
            for cat, term in sorted(matched, key=lambda m: _CATEGORY_ORDER[m[0]])
        ]
    return findings


# --------------------------------------------------------------------------------
# 3-4. k-anonymity and l-diversity
# --------------------------------------------------------------------------------


def _check_quasi_identifiers(frame: pd.DataFrame, quasi_identifiers: Any) -> list:
    _check_frame(frame)
    columns = _as_list(quasi_identifiers)
    if not columns:
        raise ValueError(ERR_NO_QUASI_IDENTIFIERS)
    _check_columns(frame, "quasi_identifiers", columns)
    return columns


def k_anonymity(
    frame: pd.DataFrame,
    quasi_identifiers: Sequence[Hashable],
    *,
    k_threshold: int = 5,
    smallest: int = 5,
) -> KAnonymityResult:
    """Measure k-anonymity: the size of the smallest quasi-identifier class.

    Rows that agree on every quasi-identifier form an equivalence class; a table
    is k-anonymous when every class has at least k rows. A missing value is a
    value of its own.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    quasi_identifiers : sequence of hashable
        Columns that, combined, could single a person out (age band, postcode,
        sex...). Must not be empty.
    k_threshold : int, default=5
        Classes smaller than this are counted as at risk. The GDPR fixes no k;
        5 is a common screening choice.
    smallest : int, default=5
        How many of the smallest classes to return with their values.

    Returns
    -------
    KAnonymityResult
        ``smallest_classes`` holds quasi-identifier values: keep it internal.

    Raises
    ------
    ValueError
        If ``quasi_identifiers`` is empty or an integer option is out of range.
    InputError
        If a quasi-identifier is not a column of ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"age": ["30s", "30s", "40s"], "zip": ["1", "1", "2"]})
    >>> result = k_anonymity(table, ["age", "zip"], k_threshold=2)
    >>> result.k, result.n_classes, result.rows_below_threshold
    (1, 2, 1)
    """
    columns = _check_quasi_identifiers(frame, quasi_identifiers)
    _check_int("k_threshold", k_threshold, minimum=1)
    _check_int("smallest", smallest, minimum=0)

    # Class of every row, size of every class
    key = _class_codes(frame, columns)
    sizes = np.bincount(key) if len(key) else np.zeros(0, dtype=np.int64)

    # The smallest classes, ties in order of first appearance
    order = np.argsort(sizes, kind="stable")[:smallest]
    _, first_row = np.unique(key, return_index=True)
    smallest_classes = tuple(
        EquivalenceClass(
            size=int(sizes[c]),
            values=tuple(
                _value_label(frame[column].iloc[first_row[c]]) for column in columns
            ),
        )
        for c in order
    )

    below = sizes < k_threshold
    k = int(sizes.min()) if len(sizes) else 0
    return KAnonymityResult(
        quasi_identifiers=tuple(str(c) for c in columns),
        n_rows=len(frame),
        k=k,
        n_classes=len(sizes),
        k_threshold=int(k_threshold),
        meets_threshold=bool(len(sizes) and k >= k_threshold),
        classes_below_threshold=int(below.sum()),
        rows_below_threshold=int(sizes[below].sum()),
        smallest_classes=smallest_classes,
    )


def l_diversity(
    frame: pd.DataFrame,
    quasi_identifiers: Sequence[Hashable],
    sensitive: Hashable,
    *,
    count_missing: bool = True,
) -> LDiversityResult:
    """Measure distinct l-diversity of a sensitive column in quasi-identifier classes.

    Within each equivalence class (rows equal on every quasi-identifier, missing a
    value of its own), count the distinct values of the sensitive column; l is the
    smallest such count. A class with l = 1 reveals the sensitive value of everyone
    in it to anyone who knows their quasi-identifiers.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    quasi_identifiers : sequence of hashable
        Columns that define the classes. Must not be empty.
    sensitive : hashable
        The sensitive column; must not be a quasi-identifier.
    count_missing : bool, default=True
        Whether a missing sensitive value counts as a distinct value. With False, a
        class whose sensitive values are all missing has l = 0.

    Returns
    -------
    LDiversityResult

    Raises
    ------
    ValueError
        If ``quasi_identifiers`` is empty.
    InputError
        If a column is missing or ``sensitive`` is also a quasi-identifier.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"zip": ["1", "1", "2", "2"], "dx": ["a", "b", "c", "c"]})
    >>> result = l_diversity(table, ["zip"], "dx")
    >>> result.l, result.classes_at_minimum
    (1, 1)
    """
    columns = _check_quasi_identifiers(frame, quasi_identifiers)
    _check_columns(frame, "sensitive", [sensitive])
    if sensitive in columns:
        raise InputError(ERR_SENSITIVE_IS_QUASI.format(sensitive))

    # Distinct (class, sensitive value) pairs, then distinct values per class
    key = _class_codes(frame, columns)
    n_classes = int(key.max()) + 1 if len(key) else 0
    if count_missing:
        values, uniques = _codes(frame[sensitive])
        keep = np.ones(len(values), dtype=bool)
    else:
        values, uniques = pd.factorize(frame[sensitive], use_na_sentinel=True)
        keep = values >= 0
    width = max(len(uniques), 1)
    pairs = np.unique(key[keep] * width + values[keep])
    distinct = np.bincount(pairs // width, minlength=n_classes)
    sizes = np.bincount(key, minlength=n_classes)

    l_value = int(distinct.min()) if n_classes else 0
    at_minimum = distinct == l_value
    return LDiversityResult(
        quasi_identifiers=tuple(str(c) for c in columns),
        sensitive=str(sensitive),
        n_rows=len(frame),
        l=l_value,
        n_classes=n_classes,
        classes_at_minimum=int(at_minimum.sum()),
        rows_at_minimum=int(sizes[at_minimum].sum()),
        count_missing=bool(count_missing),
    )


# --------------------------------------------------------------------------------
# 5-6. Proxies of protected attributes
# --------------------------------------------------------------------------------


def _encode(values: pd.Series) -> tuple[np.ndarray, int, bool]:
    """Codes 0..n-1 of a column (missing its own code), level count, binned flag.

    Numeric columns with more than :data:`PROXY_MAX_BINS` distinct values are cut
    at their quantiles; all other columns keep one code per distinct value.
    """
    dtype = values.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(
        dtype
    )
    if numeric:
        x = values.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(x)
        present = x[~missing]
        distinct = np.unique(present)
        if len(distinct) > PROXY_MAX_BINS:
            probs = np.linspace(0.0, 1.0, PROXY_MAX_BINS + 1)[1:-1]
            edges = np.unique(np.quantile(present, probs, method="lower"))
            codes = np.searchsorted(edges, x, side="right").astype(np.int64)
            codes[missing] = len(edges) + 1
            _, codes = np.unique(codes, return_inverse=True)
            codes = codes.astype(np.int64)
            return codes, int(codes.max()) + 1, True
    codes, uniques = _codes(values)
    return codes, len(uniques), False


def _stratified_folds(y: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """Fold of every row: shuffled, then dealt round-robin within each group."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    order = order[np.argsort(y[order], kind="stable")]
    sorted_y = y[order]
    starts = np.flatnonzero(np.r_[True, sorted_y[1:] != sorted_y[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(y)]))
    folds = np.empty(len(y), dtype=np.int64)
    folds[order] = (np.arange(len(y)) - group_start) % n_folds
    return folds


def _binary_auc(score: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC of a score for a boolean label, ties counted as half."""
    levels, inverse = np.unique(score, return_inverse=True)
    pos = np.bincount(
        inverse, weights=positive.astype(np.float64), minlength=len(levels)
    )
    neg = np.bincount(inverse, minlength=len(levels)) - pos
    n_pos, n_neg = pos.sum(), neg.sum()
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    neg_below = np.cumsum(neg) - neg
    return float((pos * (neg_below + 0.5 * neg)).sum() / (n_pos * n_neg))


def _cramers_v(x: np.ndarray, n_x: int, y: np.ndarray, n_y: int) -> float:
    """Bias-corrected Cramér's V (Bergsma 2013) of two code arrays."""
    n = len(x)
    table = np.bincount(x * n_y + y, minlength=n_x * n_y).reshape(n_x, n_y)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    rows, cols = rows[rows > 0], cols[cols > 0]
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    r, k = len(rows), len(cols)
    if r < 2 or k < 2 or n < 2:
        return 0.0
    expected = np.outer(rows, cols)
    phi2 = float((table.astype(np.float64) ** 2 / expected).sum()) - 1.0
    phi2_corr = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    r_corr = r - (r - 1) ** 2 / (n - 1)
    k_corr = k - (k - 1) ** 2 / (n - 1)
    denominator = min(k_corr - 1, r_corr - 1)
    if denominator <= 0:
        return 0.0
    return float(min(1.0, np.sqrt(phi2_corr / denominator)))


def _cv_auc(
    x: np.ndarray, n_x: int, y: np.ndarray, n_y: int, folds: np.ndarray
) -> float | None:
    """Cross-validated AUC of a lookup-table classifier of y from x.

    For each fold, the group shares within every level of x are counted on the
    other folds (shrunk toward the overall shares by :data:`PROXY_SMOOTHING`) and
    used as scores for the fold's rows. The out-of-fold scores of all rows are then
    scored together: one-vs-rest AUC per group, averaged over groups with at least
    :data:`PROXY_FOLDS` rows.
    """
    scores = np.empty((len(y), n_y), dtype=np.float64)
    for fold in range(PROXY_FOLDS):
        test = folds == fold
        if not test.any():
            continue
        train = ~test
        joint = np.bincount(x[train] * n_y + y[train], minlength=n_x * n_y)
        joint = joint.reshape(n_x, n_y).astype(np.float64)
        prior = np.bincount(y[train], minlength=n_y) / max(int(train.sum()), 1)
        level_rates = (joint + PROXY_SMOOTHING * prior) / (
            joint.sum(axis=1, keepdims=True) + PROXY_SMOOTHING
        )
        scores[test] = level_rates[x[test]]
    group_sizes = np.bincount(y, minlength=n_y)
    aucs = [
        _binary_auc(scores[:, g], y == g)
        for g in range(n_y)
        if group_sizes[g] >= PROXY_FOLDS and group_sizes[g] < len(y)
    ]
    aucs = [a for a in aucs if not np.isnan(a)]
    if not aucs:
        return None
    return float(np.mean(aucs))


def _strength(cramers_v: float | None, auc: float | None) -> Strength:
    if cramers_v is None and auc is None:
        return "undetermined"
    v = -1.0 if cramers_v is None else cramers_v
    a = -1.0 if auc is None else auc
    if a >= PROXY_STRONG_AUC or v >= PROXY_STRONG_V:
        return "strong"
    if a >= PROXY_MODERATE_AUC or v >= PROXY_MODERATE_V:
        return "moderate"
    return "weak"


_STRENGTH_ORDER = {"strong": 0, "moderate": 1, "weak": 2, "undetermined": 3}


def proxy_strength(
    frame: pd.DataFrame,
    protected: Sequence[Hashable],
    features: Sequence[Hashable],
    *,
    sample_size: int = 50_000,
    seed: int = 0,
) -> list[ProxyFinding]:
    """Screen every feature for how well it alone reveals each protected attribute.

    For each (feature, protected attribute) pair, two measures are computed on the
    same seeded sample of rows:

    - the bias-corrected Cramér's V of Bergsma (2013), which, unlike the plain V,
      stays near 0 for a feature with many levels and no real association (such
      as a row ID);
    - the cross-validated ROC AUC of a one-feature classifier of the protected
      group. The classifier is a lookup table: each level of the feature scores a
      row with the group shares seen at that level in the training folds, shrunk
      toward the overall shares. It is what a fully grown decision tree on the
      one-hot encoded feature would learn, and unlike a shallow tree it does not
      understate a proxy with hundreds of levels (a postcode). Folds are
      stratified by group (:data:`PROXY_FOLDS` of them, seeded); the AUC is
      computed once over all out-of-fold scores. With more than two groups it is
      the macro average of one-vs-rest AUCs over groups with at least
      :data:`PROXY_FOLDS` rows.

    Numeric features and protected attributes with more than :data:`PROXY_MAX_BINS`
    distinct values are cut into that many quantile bins; missing values are a
    level (or group) of their own. A pair is "strong" when AUC >=
    :data:`PROXY_STRONG_AUC` or V >= :data:`PROXY_STRONG_V`, "moderate" when AUC
    >= :data:`PROXY_MODERATE_AUC` or V >= :data:`PROXY_MODERATE_V`, else "weak".
    These are screening heuristics, not legal thresholds. A pair is skipped when
    the feature is the protected attribute itself (see
    :func:`protected_attributes_used_as_features`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    protected : sequence of hashable or str
        Protected attribute columns.
    features : sequence of hashable or str
        Feature columns.
    sample_size : int, default=50_000
        Rows used; all rows when the table is no larger.
    seed : int, default=0
        Seed of the row sample and of the folds.

    Returns
    -------
    list of ProxyFinding
        Strongest first: by strength, then AUC, then V (descending), then names.

    Raises
    ------
    InputError
        If a column is not in ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"zip": list("aabb") * 10, "race": list("xxyy") * 10})
    >>> [(f.feature, f.strength) for f in proxy_strength(table, ["race"], ["zip"])]
    [('zip', 'strong')]
    """
    _check_frame(frame)
    _check_int("sample_size", sample_size, minimum=1)
    protected_columns = _as_list(protected)
    feature_columns = _as_list(features)
    _check_columns(frame, "protected", protected_columns)
    _check_columns(frame, "features", feature_columns)

    positions = _sample_positions(len(frame), sample_size, seed)
    rows = frame if positions is None else frame.iloc[positions]
    n_rows = len(rows)
    encoded = {
        c: _encode(rows[c]) for c in dict.fromkeys(feature_columns + protected_columns)
    }

    findings = []
    for p in dict.fromkeys(protected_columns):
        y, n_y, _ = encoded[p]
        folds = _stratified_folds(y, PROXY_FOLDS, seed)
        for f in dict.fromkeys(feature_columns):
            if f == p:
                continue
            x, n_x, binned = encoded[f]
            if n_y < 2:
                cramers_v, auc = None, None
            else:
                cramers_v = _cramers_v(x, n_x, y, n_y)
                auc = _cv_auc(x, n_x, y, n_y, folds)
            findings.append(
                ProxyFinding(
                    feature=str(f),
                    protected=str(p),
                    cramers_v=cramers_v,
                    auc=auc,
                    strength=_strength(cramers_v, auc),
                    n_rows=int(n_rows),
                    n_levels=int(n_x),
                    n_groups=int(n_y),
                    binned=bool(binned),
                )
            )
    findings.sort(
        key=lambda f: (
            _STRENGTH_ORDER[f.strength],
            -(f.auc if f.auc is not None else -1.0),
            -(f.cramers_v if f.cramers_v is not None else -1.0),
            f.feature,
            f.protected,
        )
    )
    return findings


def protected_attributes_used_as_features(
    protected: Sequence[Hashable], features: Sequence[Hashable]
) -> list[str]:
    """Return the protected attributes that are also model features.

    Parameters
    ----------
    protected : sequence of hashable or str
        Protected attribute columns.
    features : sequence of hashable or str
        Feature columns.

    Returns
    -------
    list of str
        Protected attributes found among the features (exact column names), in the
        order of ``protected``, each once. Derived columns (such as one-hot
        ``sex_male``) are not recognised.

    Examples
    --------
    >>> protected_attributes_used_as_features(["sex", "race"], ["age", "sex"])
    ['sex']
    """
    feature_set = set(_as_list(features))
    return [str(p) for p in dict.fromkeys(_as_list(protected)) if p in feature_set]

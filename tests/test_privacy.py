"""Tests of the privacy scan: identifiers, Art. 9 columns, k, l and proxies."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.checks import privacy
from reportgen.checks.privacy import (
    ERR_MISSING_COLUMNS,
    ERR_NO_QUASI_IDENTIFIERS,
    ERR_SENSITIVE_IS_QUASI,
    IdentifierFinding,
    k_anonymity,
    l_diversity,
    protected_attributes_used_as_features,
    proxy_strength,
    scan_identifiers,
    special_category_columns,
)
from reportgen.datasets import german_credit_path
from reportgen.errors import InputError

# --------------------------------------------------------------------------------
# Helpers that plant realistic identifiers
# --------------------------------------------------------------------------------


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass the Luhn checksum."""
    total = 0
    for i, char in enumerate(reversed(body)):
        d = int(char)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card_numbers(rng, n, *, valid=True):
    """Visa-like 16-digit numbers; ``valid=False`` breaks every check digit."""
    out = []
    for _ in range(n):
        body = "4" + "".join(str(d) for d in rng.integers(0, 10, 14))
        check = luhn_check_digit(body)
        if not valid:
            check = str((int(check) + 1 + int(rng.integers(0, 9))) % 10)
        out.append(body + check)
    return out


def iban(country: str, bban: str) -> str:
    """A valid IBAN for a country code and a basic bank account number."""
    rearranged = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return f"{country}{98 - number % 97:02d}{bban}"


def ssns(rng, n):
    areas = rng.integers(1, 900, n)
    areas[areas == 666] = 665
    groups = rng.integers(1, 100, n)
    serials = rng.integers(1, 10_000, n)
    return [
        f"{a:03d}-{g:02d}-{s:04d}"
        for a, g, s in zip(areas, groups, serials, strict=True)
    ]


def serialised(findings) -> str:
    return json.dumps([dataclasses.asdict(f) for f in findings])


def by_column(findings):
    out = {}
    for f in findings:
        out.setdefault(f.column, set()).add((f.kind, f.detected_by))
    return out


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def planted(rng):
    """A 200-row table with one identifier of each kind in a neutrally named column."""
    n = 200
    first = ["Anna", "Ben", "Chloé", "Dario", "Eve"]
    last = ["Müller", "O'Brien", "Nakamura", "Smith", "Kowalska"]
    phones = [
        "+49 30 1234567",
        "+44 20 7946 0958",
        "(415) 555-2671",
        "030 12345678",
        "07700 900123",
        "+14155552671",
        "01.23.45.67.89",
    ]
    table = pd.DataFrame(
        {
            "contact": [f"user{i}@mail{i % 7}.example.org" for i in range(n)],
            "reach": [phones[i % len(phones)] for i in range(n)],
            "ref_a": ssns(rng, n),
            "ref_b": card_numbers(rng, n),
            "ref_c": [
                iban("DE", f"{rng.integers(10**17, 10**18)}")
                if i % 2
                else iban("GB", f"WEST{rng.integers(10**13, 10**14)}")
                for i in range(n)
            ],
            "host": [
                f"10.{i % 256}.{(i * 7) % 256}.{(i * 13) % 256}"
                if i % 2
                else f"2001:db8::{i:x}"
                for i in range(n)
            ],
            "full_name": [f"{first[i % 5]} {last[(i * 3) % 5]}" for i in range(n)],
            "credit_amount": rng.integers(250, 20_000, n),
            "age": rng.integers(18, 80, n),
        }
    )
    return table


# --------------------------------------------------------------------------------
# 1. Identifiers
# --------------------------------------------------------------------------------


def test_planted_identifiers_are_found(planted):
    found = by_column(scan_identifiers(planted))
    assert found == {
        "contact": {("email", "value_pattern")},
        "reach": {("phone", "value_pattern")},
        "ref_a": {("us_ssn", "value_pattern")},
        "ref_b": {("payment_card", "value_pattern")},
        "ref_c": {("iban", "value_pattern")},
        "host": {("ip_address", "value_pattern")},
        "full_name": {("person_name", "column_name")},
    }


def test_value_findings_count_the_sample(planted):
    findings = {f.column: f for f in scan_identifiers(planted)}
    email = findings["contact"]
    assert (email.matches, email.sampled, email.share) == (200, 200, 1.0)
    assert email.matched_term is None
    name = findings["full_name"]
    assert (name.matches, name.sampled, name.share) == (None, None, None)
    assert name.matched_term == "full name"


def test_no_finding_contains_a_planted_value(planted):
    text = serialised(scan_identifiers(planted))
    for column in ["contact", "reach", "ref_a", "ref_b", "ref_c", "host", "full_name"]:
        for value in planted[column]:
            assert str(value) not in text
            for part in str(value).split():
                if len(part) >= 4:
                    assert part not in text


def test_findings_are_json_ready(planted):
    for finding in scan_identifiers(planted):
        for value in dataclasses.asdict(finding).values():
            assert value is None or type(value) in (str, int, float)
        assert finding.to_dict() == dataclasses.asdict(finding)


def test_luhn_invalid_cards_are_not_flagged(rng):
    table = pd.DataFrame(
        {
            "ref_str": card_numbers(rng, 300, valid=False),
            "ref_int": np.array(card_numbers(rng, 300, valid=False), dtype=np.int64),
        }
    )
    assert scan_identifiers(table) == []


def test_cards_are_found_with_separators_and_as_integers(rng):
    numbers = card_numbers(rng, 50)
    dashed = ["-".join(n[i : i + 4] for i in range(0, 16, 4)) for n in numbers]
    spaced = [n.replace("-", " ") for n in dashed]
    table = pd.DataFrame(
        {
            "a": dashed,
            "b": spaced,
            "c": np.array(numbers, dtype=np.int64),
            "d": pd.array([int(n) for n in numbers[:-1]] + [None], dtype="Int64"),
        }
    )
    found = by_column(scan_identifiers(table))
    assert found == {c: {("payment_card", "value_pattern")} for c in "abcd"}


def test_random_sixteen_digit_strings_are_not_cards(rng):
    # About 5 % of random digit strings pass the card checks by chance.
    table = pd.DataFrame(
        {"order_ref": ["".join(map(str, rng.integers(0, 10, 16))) for _ in range(2000)]}
    )
    assert scan_identifiers(table) == []


def test_broken_iban_checksums_are_not_flagged():
    valid = iban("DE", "370400440532013000")
    assert valid == "DE89370400440532013000"
    broken = [valid[:-1] + str((int(valid[-1]) + d) % 10) for d in range(1, 10)]
    table = pd.DataFrame({"good": [valid] * 9, "bad": broken})
    assert by_column(scan_identifiers(table)) == {"good": {("iban", "value_pattern")}}


def test_iban_with_spaces_and_in_free_text():
    table = pd.DataFrame(
        {
            "memo": [
                "pay to GB82 WEST 1234 5698 7654 32",
                "refund GB82WEST12345698765432, thanks",
                "nothing here",
            ]
        }
    )
    assert by_column(scan_identifiers(table)) == {"memo": {("iban", "value_pattern")}}


def test_invalid_ssn_areas_are_not_flagged():
    table = pd.DataFrame(
        {
            "ref": ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567"]
            + ["123-45-0000", "1234-56-7890"]
        }
    )
    assert scan_identifiers(table) == []


def test_ssn_digits_in_numeric_columns_are_not_checked():
    table = pd.DataFrame({"ref": [123456789, 234567890, 345678901]})
    assert scan_identifiers(table) == []


@pytest.mark.parametrize(
    "value",
    [
        "12345",
        "2024",
        "2024-01-15",
        "15.01.2024",
        "02134-1234",
        "+1234567.89",
        "1 234 567",
        "0.123456789",
        "555-1234",
        "12:30:45",
        "3.14159",
        "-4917612345678",
    ],
)
def test_numbers_that_are_not_phones(value):
    table = pd.DataFrame({"value": [value] * 20})
    assert scan_identifiers(table) == []


@pytest.mark.parametrize(
    "value",
    [
        "+49 30 1234567",
        "+4915112345678",
        "0049 30 1234567",
        "+1 (415) 555-2671",
        "(415) 555-2671",
        "415.555.2671",
        "030 12345678",
        "030/12345678",
        "(030) 1234567",
        "07700 900123",
        "01711234567",
        "01 23 45 67 89",
    ],
)
def test_phone_shapes(value):
    table = pd.DataFrame({"value": [value] * 20})
    assert by_column(scan_identifiers(table)) == {"value": {("phone", "value_pattern")}}


@pytest.mark.parametrize(
    "value",
    ["192.168.0.1", "host 10.0.0.254 down", "::1", "fe80::1%eth0", "[2001:db8::1]:443"],
)
def test_ip_addresses(value):
    table = pd.DataFrame({"value": [value] * 5})
    assert by_column(scan_identifiers(table)) == {
        "value": {("ip_address", "value_pattern")}
    }


@pytest.mark.parametrize("value", ["1.2.3", "256.1.1.1", "00:1A:2B:3C:4D:5E", "1:2:3"])
def test_not_ip_addresses(value):
    table = pd.DataFrame({"value": [value] * 5})
    assert scan_identifiers(table) == []


def test_minimum_share_keeps_noise_out():
    rare = ["a@example.org"] + ["plain text"] * 99
    enough = ["a@example.org"] * 5 + ["plain text"] * 95
    table = pd.DataFrame({"rare": rare, "enough": enough})
    findings = scan_identifiers(table)
    assert [(f.column, f.matches, f.sampled) for f in findings] == [("enough", 5, 100)]
    assert findings[0].share == pytest.approx(0.05)


def test_missing_values_are_not_counted_as_sampled():
    table = pd.DataFrame({"v": ["a@example.org", None, np.nan, "b@example.org"]})
    (finding,) = scan_identifiers(table)
    assert (finding.matches, finding.sampled, finding.share) == (2, 2, 1.0)


def test_sampling_is_seeded_and_bounded(rng):
    n = 5000
    values = np.where(rng.random(n) < 0.5, "x@example.org", "no")
    table = pd.DataFrame({"v": values})
    a = scan_identifiers(table, sample_size=500, seed=1)
    b = scan_identifiers(table, sample_size=500, seed=1)
    assert a == b
    assert a[0].sampled == 500
    assert 0.4 < a[0].share < 0.6


@pytest.mark.parametrize(
    ("column", "kind", "term"),
    [
        ("full_name", "person_name", "full name"),
        ("firstName", "person_name", "first name"),
        ("Surname", "person_name", "surname"),
        ("name", "person_name", "name"),
        ("E-Mail", "email", "email"),
        ("email_address", "email", "email address"),
        ("phone_number", "phone", "phone number"),
        ("SSN", "us_ssn", "ssn"),
        ("passport_no", "national_id", "passport"),
        ("IBAN", "iban", "iban"),
        ("account_number", "account_number", "account number"),
        ("creditCardNumber", "payment_card", "card number"),
        ("street_address", "postal_address", "street address"),
        ("zip_code", "postcode", "zip code"),
        ("PostCode", "postcode", "postcode"),
        ("client_ip", "ip_address", "ip"),
        ("IPAddress", "ip_address", "ip address"),
        ("customer_id", "customer_id", "customer id"),
        ("date_of_birth", "date_of_birth", "date of birth"),
        ("DOB", "date_of_birth", "dob"),
    ],
)
def test_identifier_column_names(column, kind, term):
    table = pd.DataFrame({column: ["v1", "v2", "v3", "v4"]})
    (finding,) = scan_identifiers(table)
    assert (finding.kind, finding.detected_by, finding.matched_term) == (
        kind,
        "column_name",
        term,
    )


@pytest.mark.parametrize(
    "column",
    [
        "credit_amount",
        "checking_account",
        "purpose",
        "rename_count",
        "ship_date",
        "zipper_color",
        "hotel",
        "identifier_kind",
        "credit_card_limit",
        "bank_account_balance",
    ],
)
def test_names_that_are_not_identifiers(column):
    table = pd.DataFrame({column: ["v1", "v2", "v3", "v4"]})
    assert scan_identifiers(table) == []


def test_indicator_columns_are_not_flagged_by_name():
    table = pd.DataFrame(
        {
            "telephone": ["yes", "none", "none", "yes"],
            "has_email": [True, False, True, True],
            "phone_on_file": [0, 1, 1, 0],
            "email": ["a@b.org", "c@d.org", "e@f.org", "g@h.org"],
        }
    )
    found = by_column(scan_identifiers(table))
    assert found == {"email": {("email", "column_name"), ("email", "value_pattern")}}


def test_numeric_columns_are_not_names_or_addresses():
    table = pd.DataFrame({"address_years": [1, 4, 7], "name_length": [3, 5, 8]})
    assert scan_identifiers(table) == []


def german_credit_like(rng, n=300):
    return pd.DataFrame(
        {
            "checking_account": rng.choice(["< 0 DM", "0 to 200 DM", "none"], n),
            "duration_in_month": rng.integers(4, 72, n),
            "credit_history": rng.choice(["critical", "paid back duly"], n),
            "purpose": rng.choice(["car (new)", "radio or television", "education"], n),
            "credit_amount": rng.integers(250, 18_424, n),
            "savings": rng.choice(["< 100 DM", ">= 1000 DM"], n),
            "employment_since": rng.choice(["< 1 year", ">= 7 years"], n),
            "installment_rate": rng.integers(1, 5, n),
            "personal_status_and_sex": rng.choice(["male: single", "female"], n),
            "residence_since": rng.integers(1, 5, n),
            "property": rng.choice(["real estate", "car or other"], n),
            "age": rng.integers(19, 76, n),
            "age_in_years": rng.integers(19, 76, n).astype(float),
            "housing": rng.choice(["own", "rent", "for free"], n),
            "job": rng.choice(["skilled employee", "unskilled resident"], n),
            "telephone": rng.choice(["yes", "none"], n),
            "foreign_worker": rng.choice(["yes", "no"], n),
            "sex": rng.choice(["female", "male"], n),
            "gender": pd.Categorical(rng.choice(["f", "m"], n)),
            "age_group": rng.choice(["under 25", "25-39", "40-59"], n),
            "credit_risk": rng.choice(["good", "bad"], n),
            "ratio": rng.random(n),
            "application_date": pd.date_range("2020-01-01", periods=n, freq="D"),
        }
    )


def test_clean_table_has_no_findings(rng):
    table = german_credit_like(rng)
    assert scan_identifiers(table) == []
    assert special_category_columns(table.columns) == []


def test_bundled_german_credit_has_no_findings():
    table = pd.read_csv(german_credit_path())
    assert scan_identifiers(table) == []
    assert special_category_columns(table.columns) == []


def test_scan_rejects_bad_input():
    with pytest.raises(TypeError):
        scan_identifiers([["a@b.org"]])
    with pytest.raises(ValueError, match="sample_size must be a positive integer"):
        scan_identifiers(pd.DataFrame({"a": [1]}), sample_size=0)


def test_empty_table():
    assert scan_identifiers(pd.DataFrame({"x": pd.Series([], dtype=str)})) == []


def test_every_finding_is_a_known_kind(planted):
    for finding in scan_identifiers(planted):
        assert isinstance(finding, IdentifierFinding)
        assert finding.kind in privacy.IDENTIFIER_KINDS


# --------------------------------------------------------------------------------
# 2. Special categories
# --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "category", "term"),
    [
        ("religion", "religious_or_philosophical_beliefs", "religion"),
        ("Ethnicity", "racial_or_ethnic_origin", "ethnicity"),
        ("applicant_race", "racial_or_ethnic_origin", "race"),
        ("health_status", "health", "health"),
        ("mentalHealthScore", "health", "mental health"),
        ("tradeUnionMember", "trade_union_membership", "trade union"),
        ("is_unionized", "trade_union_membership", "unionized"),
        ("union_member", "trade_union_membership", "union member"),
        ("political_party", "political_opinions", "political party"),
        ("sexual-orientation", "sex_life_or_sexual_orientation", "sexual orientation"),
        ("gender_identity", "sex_life_or_sexual_orientation", "gender identity"),
        ("dna_sample_id", "genetic_data", "dna"),
        ("FingerprintHash", "biometric_data", "fingerprint"),
        ("diagnosis_code", "health", "diagnosis"),
        ("disability", "health", "disability"),
        ("pregnancy", "health", "pregnancy"),
        ("MEDICAL_HISTORY", "health", "medical"),
    ],
)
def test_special_category_columns(column, category, term):
    (finding,) = special_category_columns([column])
    assert (finding.column, finding.category, finding.matched_term) == (
        column,
        category,
        term,
    )
    assert finding.category in privacy.SPECIAL_CATEGORIES


@pytest.mark.parametrize(
    "column",
    [
        "purpose",
        "trace_id",
        "embrace",
        "union",
        "credit_union_member",
        "european_union_citizen",
        "sex",
        "gender",
        "age",
        "age_group",
        "personal_status_and_sex",
        "third_party",
        "treatment_group",
        "account_disabled",
        "christian_name",
        "wealth",
    ],
)
def test_not_special_categories(column):
    assert special_category_columns([column]) == []


def test_special_categories_keep_column_order_and_accept_any_labels():
    columns = pd.Index(["religion", 3, "health_and_religion", "age"])
    found = [(f.column, f.category) for f in special_category_columns(columns)]
    assert found == [
        ("religion", "religious_or_philosophical_beliefs"),
        ("health_and_religion", "religious_or_philosophical_beliefs"),
        ("health_and_religion", "health"),
    ]


# --------------------------------------------------------------------------------
# 3-4. k-anonymity and l-diversity
# --------------------------------------------------------------------------------


@pytest.fixture
def small():
    # Classes over (age_band, zip): (30s, 101) x3, (40s, 101) x2, (30s, 102) x1,
    # (50s, 103) x3, (missing, 101) x1.
    return pd.DataFrame(
        {
            "age_band": ["30s", "30s", "40s", "30s", "40s", "50s", "50s", "50s"]
            + ["30s", None],
            "zip": ["101", "101", "101", "102", "101", "103", "103", "103"]
            + ["101", "101"],
            "diagnosis": ["flu", "cold", "flu", "flu", "flu", "asthma", "flu", "cold"]
            + ["flu", "cold"],
        }
    )


def test_k_anonymity_by_hand(small):
    result = k_anonymity(small, ["age_band", "zip"], k_threshold=3, smallest=3)
    assert result.k == 1
    assert result.n_rows == 10
    assert result.n_classes == 5
    assert result.k_threshold == 3
    assert result.meets_threshold is False
    assert result.classes_below_threshold == 3
    assert result.rows_below_threshold == 1 + 1 + 2
    assert [(c.size, c.values) for c in result.smallest_classes] == [
        (1, ("30s", "102")),
        (1, (None, "101")),
        (2, ("40s", "101")),
    ]
    assert json.loads(json.dumps(result.to_dict()))["k"] == 1


def test_k_anonymity_single_column_and_threshold(small):
    result = k_anonymity(small, "zip", k_threshold=1)
    assert (result.k, result.n_classes, result.meets_threshold) == (1, 3, True)
    assert result.rows_below_threshold == 0
    assert len(result.smallest_classes) == 3


def test_k_anonymity_numbers_are_reported_as_strings():
    table = pd.DataFrame({"age": [30, 30, 41], "score": [1.5, 1.5, 2.0]})
    result = k_anonymity(table, ["age", "score"], smallest=1)
    assert result.smallest_classes[0].values == ("41", "2.0")


def test_k_anonymity_empty_table():
    result = k_anonymity(pd.DataFrame({"a": []}), ["a"])
    assert (result.k, result.n_classes, result.meets_threshold) == (0, 0, False)


def test_k_anonymity_errors(small):
    with pytest.raises(ValueError, match=ERR_NO_QUASI_IDENTIFIERS):
        k_anonymity(small, [])
    with pytest.raises(InputError) as info:
        k_anonymity(small, ["zip", "postcode"])
    assert str(info.value) == ERR_MISSING_COLUMNS.format(
        "quasi_identifiers", "'postcode'"
    )
    with pytest.raises(ValueError, match="k_threshold"):
        k_anonymity(small, ["zip"], k_threshold=0)


def test_l_diversity_by_hand(small):
    result = l_diversity(small, ["age_band", "zip"], "diagnosis")
    # (30s, 101): flu, cold, flu -> 2; (40s, 101): flu -> 1; (30s, 102): flu -> 1;
    # (50s, 103): asthma, flu, cold -> 3; (missing, 101): cold -> 1.
    assert result.l == 1
    assert result.n_classes == 5
    assert result.classes_at_minimum == 3
    assert result.rows_at_minimum == 2 + 1 + 1
    assert json.loads(json.dumps(result.to_dict()))["sensitive"] == "diagnosis"


def test_l_diversity_missing_sensitive_values():
    table = pd.DataFrame(
        {"zip": ["1", "1", "2", "2"], "dx": ["flu", None, None, np.nan]}
    )
    counted = l_diversity(table, ["zip"], "dx")
    assert (counted.l, counted.classes_at_minimum) == (1, 1)
    ignored = l_diversity(table, ["zip"], "dx", count_missing=False)
    assert (ignored.l, ignored.classes_at_minimum, ignored.rows_at_minimum) == (0, 1, 2)


def test_l_diversity_errors(small):
    with pytest.raises(InputError) as info:
        l_diversity(small, ["zip", "diagnosis"], "diagnosis")
    assert str(info.value) == ERR_SENSITIVE_IS_QUASI.format("diagnosis")
    with pytest.raises(ValueError, match=ERR_NO_QUASI_IDENTIFIERS):
        l_diversity(small, [], "diagnosis")


small_frames = st.integers(min_value=1, max_value=40).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from(["a", "b", None]), min_size=n, max_size=n),
        st.lists(st.sampled_from([1.0, 2.0, np.nan]), min_size=n, max_size=n),
        st.lists(st.sampled_from(["x", "y", "z", None]), min_size=n, max_size=n),
    )
)


@settings(max_examples=40, deadline=None)
@given(small_frames)
def test_k_and_l_agree_with_pandas_groupby(columns):
    a, b, s = columns
    table = pd.DataFrame({"a": a, "b": b, "s": s})
    groups = table.groupby(["a", "b"], dropna=False)
    k = k_anonymity(table, ["a", "b"])
    assert k.k == groups.size().min()
    assert k.n_classes == groups.ngroups
    ell = l_diversity(table, ["a", "b"], "s")
    assert ell.l == groups["s"].nunique(dropna=False).min()
    shuffled = table.sample(frac=1.0, random_state=0)
    assert k_anonymity(shuffled, ["a", "b"]).k == k.k
    assert l_diversity(shuffled, ["a", "b"], "s").l == ell.l


# --------------------------------------------------------------------------------
# 5-6. Proxies
# --------------------------------------------------------------------------------


@pytest.fixture
def proxy_table(rng):
    n = 3000
    race = rng.choice(
        ["black", "white", "asian", "hispanic"], n, p=[0.2, 0.5, 0.1, 0.2]
    )
    prefixes = {"black": "100", "white": "200", "asian": "300", "hispanic": "400"}
    zip_code = np.array([prefixes[r] + str(rng.integers(10, 40)) for r in race])
    # About 5 % of people live in a postcode typical of another group.
    moved = rng.random(n) < 0.05
    zip_code[moved] = rng.permutation(zip_code)[moved]
    sex = rng.choice(["female", "male"], n)
    income = np.where(sex == "female", 0.0, 1.5) + rng.normal(size=n)
    return pd.DataFrame(
        {
            "race": race,
            "sex": sex,
            "zip_code": zip_code,
            "noise": rng.choice(list("abcdefgh"), n),
            "noise_number": rng.normal(size=n),
            "income": income,
            "row_id": np.arange(n).astype(str),
        }
    )


def test_proxy_strength_finds_the_planted_proxy(proxy_table):
    findings = proxy_strength(
        proxy_table,
        ["race", "sex"],
        ["zip_code", "noise", "noise_number", "income", "row_id"],
    )
    table = {(f.feature, f.protected): f for f in findings}
    assert len(findings) == 10
    zip_race = table["zip_code", "race"]
    assert zip_race.strength == "strong"
    assert zip_race.auc > 0.9
    assert zip_race.cramers_v > 0.8
    assert findings[0] == zip_race
    for feature in ["noise", "noise_number", "row_id"]:
        for protected in ["race", "sex"]:
            finding = table[feature, protected]
            assert finding.strength == "weak", finding
            assert finding.cramers_v < 0.1
            assert 0.4 < finding.auc < 0.6
    income_sex = table["income", "sex"]
    assert income_sex.binned and income_sex.n_levels == 10
    assert income_sex.strength == "strong"
    ranks = [privacy._STRENGTH_ORDER[f.strength] for f in findings]
    assert ranks == sorted(ranks)


def test_proxy_findings_are_json_ready(proxy_table):
    findings = proxy_strength(proxy_table, "race", ["zip_code", "noise"])
    for finding in findings:
        for value in finding.to_dict().values():
            assert type(value) in (str, int, float, bool)
    json.dumps([f.to_dict() for f in findings])


def test_proxy_strength_is_reproducible_and_samples(proxy_table):
    a = proxy_strength(proxy_table, ["race"], ["zip_code"], sample_size=1000, seed=3)
    b = proxy_strength(proxy_table, ["race"], ["zip_code"], sample_size=1000, seed=3)
    assert a == b
    assert a[0].n_rows == 1000


def test_proxy_missing_values_are_a_category():
    # The feature is missing exactly for group "b": a perfect proxy.
    n = 300
    group = np.array(["a", "b", "c"] * (n // 3))
    feature = np.where(group == "b", None, "present")
    table = pd.DataFrame({"group": group, "feature": feature})
    (finding,) = proxy_strength(table, ["group"], ["feature"])
    assert finding.n_levels == 2
    assert finding.n_groups == 3
    assert finding.strength == "strong"


def test_proxy_single_group_is_undetermined():
    table = pd.DataFrame({"sex": ["f"] * 30, "x": list(range(30))})
    (finding,) = proxy_strength(table, ["sex"], ["x", "sex"])
    assert (finding.cramers_v, finding.auc, finding.strength) == (
        None,
        None,
        "undetermined",
    )


def test_proxy_strength_thresholds():
    assert privacy._strength(0.1, 0.81) == "strong"
    assert privacy._strength(0.55, 0.5) == "strong"
    assert privacy._strength(0.31, 0.5) == "moderate"
    assert privacy._strength(0.1, 0.72) == "moderate"
    assert privacy._strength(0.1, 0.6) == "weak"
    assert privacy._strength(None, None) == "undetermined"


def test_binary_auc_matches_scikit_learn(rng):
    from sklearn.metrics import roc_auc_score

    score = rng.integers(0, 20, 500) / 7.0
    label = rng.random(500) < 0.3 + score / 10
    assert privacy._binary_auc(score, label) == pytest.approx(
        roc_auc_score(label, score)
    )


def test_cramers_v_extremes(rng):
    x = rng.integers(0, 4, 2000)
    assert privacy._cramers_v(x, 4, x, 4) == pytest.approx(1.0)
    y = rng.integers(0, 3, 2000)
    assert privacy._cramers_v(x, 4, y, 3) < 0.05


def test_folds_are_stratified(rng):
    y = rng.choice(4, 1000, p=[0.7, 0.2, 0.09, 0.01])
    folds = privacy._stratified_folds(y, 3, seed=0)
    for group in range(4):
        counts = np.bincount(folds[y == group], minlength=3)
        assert counts.max() - counts.min() <= 1


def test_proxy_strength_is_fast_enough(rng):
    import time

    n = 50_000
    table = pd.DataFrame({"race": rng.choice(list("abcd"), n)})
    table["sex"] = rng.choice(["f", "m"], n)
    for i in range(10):
        table[f"num{i}"] = rng.normal(size=n)
        table[f"cat{i}"] = rng.choice(40, n).astype(str)
    features = [c for c in table.columns if c not in ("race", "sex")]
    start = time.perf_counter()
    findings = proxy_strength(table, ["race", "sex"], features)
    assert time.perf_counter() - start < 3.0
    assert len(findings) == 40


def test_proxy_unknown_column(proxy_table):
    with pytest.raises(InputError) as info:
        proxy_strength(proxy_table, ["ethnicity"], ["zip_code"])
    assert str(info.value) == ERR_MISSING_COLUMNS.format("protected", "'ethnicity'")


def test_protected_attributes_used_as_features():
    assert protected_attributes_used_as_features(
        ["sex", "race", "age_group"], ["income", "age_group", "sex", "sex"]
    ) == ["sex", "age_group"]
    assert protected_attributes_used_as_features("sex", ["income"]) == []

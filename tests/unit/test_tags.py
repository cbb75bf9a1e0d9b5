"""Tags: short, unambiguous, unique, and a typo never resolves to another tag."""

import pytest

from inventory import tags


def test_tags_are_seven_characters_without_confusable_ones():
    for n in range(1, 5000):
        tag = tags.tag_for_number(n)
        assert len(tag) == tags.TAG_LENGTH
        assert not set(tag) & set("01ILO")
        assert tag == tag.upper() and tag.isalnum()


def test_every_number_gives_a_different_tag():
    seen = {tags.tag_for_number(n) for n in range(1, 200_001)}
    assert len(seen) == 200_000


def test_numbers_beyond_the_six_character_space_still_give_valid_distinct_tags():
    big = [tags.tag_for_number(31**6 + n) for n in range(1, 100)]
    assert len(set(big)) == 99
    assert all(tags.is_valid(t) for t in big)
    assert all(len(t) == tags.TAG_LENGTH + 1 for t in big)


def test_neighbouring_numbers_do_not_look_alike():
    a, b = tags.tag_for_number(1000), tags.tag_for_number(1001)
    assert sum(x == y for x, y in zip(a, b)) < 4


@pytest.mark.parametrize("n", [1, 7, 12345, 887_000_000])
def test_every_single_character_substitution_is_detected(n):
    tag = tags.tag_for_number(n)
    for position in range(len(tag)):
        for ch in tags.ALPHABET:
            if ch == tag[position]:
                continue
            typo = tag[:position] + ch + tag[position + 1 :]
            assert not tags.is_valid(typo), typo


@pytest.mark.parametrize("n", [1, 99, 4242, 500_000])
def test_every_swap_of_neighbours_is_detected(n):
    tag = tags.tag_for_number(n)
    for i in range(len(tag) - 1):
        if tag[i] == tag[i + 1]:
            continue
        swapped = tag[:i] + tag[i + 1] + tag[i] + tag[i + 2 :]
        assert not tags.is_valid(swapped), swapped


def test_normalise_accepts_any_case_and_stray_spaces_and_dashes():
    assert tags.normalise("  k7m-x3q p\t") == "K7MX3QP"


def test_check_explains_a_mistyped_tag():
    tag = tags.tag_for_number(77)
    typo = tag[:-1] + next(c for c in tags.ALPHABET if c != tag[-1])
    with pytest.raises(tags.TagError, match="failed its check character"):
        tags.check(typo)


def test_check_names_characters_tags_never_contain():
    with pytest.raises(tags.TagError, match="never contain 0, O"):
        tags.check("AB0CDOE")

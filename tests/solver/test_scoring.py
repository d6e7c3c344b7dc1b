"""Scoring: tag matching in several languages, pair values and their reasons, introductions."""

import itertools
import random
import time

import pytest

from solver.scoring import (
    Introduction,
    PairScores,
    Profile,
    Reason,
    Tag,
    TagCatalog,
    Weights,
    introductions,
    score_pairs,
    tablemates,
)


@pytest.fixture(scope="module")
def catalog():
    return TagCatalog(
        [
            Tag(
                "office-furniture",
                {"en": "office furniture", "sv": "kontorsmöbler", "he": "ריהוט משרדי"},
                ("office chairs", "kontorsstolar"),
            ),
            Tag(
                "event-venues", {"en": "event venues", "sv": "eventlokaler", "he": "אולמות אירועים"}
            ),
            Tag("golf-travel", {"en": "golf travel", "sv": "golfresor"}, ("golf trips",)),
        ]
    )


def person(offers=(), seeks=(), languages=()):
    return Profile(frozenset(offers), frozenset(seeks), frozenset(languages))


# ---------------------------------------------------------------- the catalog


@pytest.mark.parametrize(
    "text",
    [
        "office-furniture",  # the key
        "Office Furniture",  # case
        "  office   furniture ",  # spaces
        "OFFICE_FURNITURE",
        "officefurniture",
        "kontorsmöbler",  # Swedish label
        "KONTORSMÖBLER",
        "kontorsmobler",  # accents dropped
        "ריהוט משרדי",  # Hebrew label
        "\u200fרִיהוּט מִשְׂרָדִי",  # with niqqud and a right-to-left mark
        "Office chairs",  # synonym
        "Kontorsstolar",
    ],
)
def test_normalise_finds_the_tag_by_key_label_or_synonym(catalog, text):
    assert catalog.normalise(text) == "office-furniture"


def test_normalise_swedish_and_hebrew_labels_of_another_tag(catalog):
    assert catalog.normalise("Eventlokaler") == "event-venues"
    assert catalog.normalise("אולמות אירועים") == "event-venues"
    assert catalog.normalise("golfresor") == "golf-travel"


@pytest.mark.parametrize("text", ["", "   ", "furniture", "office furniture x", "-"])
def test_normalise_refuses_what_is_not_a_tag(catalog, text):
    assert catalog.normalise(text) is None


def test_a_key_wins_over_another_tags_synonym():
    catalog = TagCatalog([Tag("chairs", {"en": "Chairs"}), Tag("furniture", {}, ("chairs",))])
    assert catalog.normalise("CHAIRS") == "chairs"


def test_suggest_offers_the_nearest_tags_for_a_typo(catalog):
    assert catalog.suggest("ofice furnitur")[0] == "office-furniture"
    assert catalog.suggest("eventlokal")[0] == "event-venues"
    assert catalog.suggest("golf trip") == ["golf-travel"]
    assert catalog.suggest("ריהוט משרד") == ["office-furniture"]  # Hebrew, one letter short
    assert catalog.suggest("kontorsmöbel")[0] == "office-furniture"
    assert catalog.suggest("quantum computing") == []
    assert len(catalog.suggest("o", n=2)) <= 2


def test_labels_fall_back_to_english_then_the_key(catalog):
    assert catalog.label("office-furniture", "sv") == "kontorsmöbler"
    assert catalog.label("golf-travel", "he") == "golf travel"
    assert catalog.label("unknown-key", "sv") == "unknown-key"


def test_normalise_answers_the_same_twice(catalog):
    assert catalog.normalise("Golfresor") == catalog.normalise("Golfresor") == "golf-travel"
    assert catalog.normalise("nothing") is None
    assert catalog.normalise("nothing") is None


def test_from_event_and_duplicate_keys():
    catalog = TagCatalog.from_event([{"key": "a", "labels": {"sv": "Å"}, "synonyms": ["ä"]}])
    assert catalog.keys == ("a",)
    assert catalog.normalise("ä") == "a"
    with pytest.raises(ValueError, match="twice"):
        TagCatalog.from_event([{"key": "a"}, {"key": "a"}])


# ---------------------------------------------------------------- pair values


def test_one_way_match_is_worth_the_one_way_weight():
    scores = score_pairs([person(seeks={"x"}), person(offers={"x"})], Weights(one_way=1.5))
    assert scores.value(0, 1) == scores.value(1, 0) == 1.5
    assert scores.pair(0, 1).mutual is False


def test_mutual_match_is_worth_more_than_two_one_way_matches():
    # 0 and 1 help each other; 2 helps 3 and 4 helps 5, one way each.
    profiles = [
        person(offers={"y"}, seeks={"x"}),
        person(offers={"x"}, seeks={"y"}),
        person(offers={"x"}),
        person(seeks={"x"}),
        person(offers={"y"}),
        person(seeks={"y"}),
    ]
    scores = score_pairs(profiles)
    assert scores.pair(0, 1).mutual
    assert scores.value(0, 1) > scores.value(2, 3) + scores.value(4, 5)
    assert scores.value(0, 1) == 4.0  # (1 + 1) * mutual 2
    assert score_pairs(profiles, Weights(mutual=1.0)).value(0, 1) == 2.0


def test_counts_every_shared_tag_both_ways():
    a = person(offers={"p", "q"}, seeks={"x", "y", "z"})
    b = person(offers={"x", "y"}, seeks={"p"})
    assert score_pairs([a, b], Weights(one_way=1, mutual=3)).value(0, 1) == (2 + 1) * 3


def test_no_common_language_is_worth_nothing():
    a = person(offers={"y"}, seeks={"x"}, languages={"sv"})
    b = person(offers={"x"}, seeks={"y"}, languages={"he"})
    c = person(offers={"x"}, seeks={"y"}, languages={"he", "sv"})
    d = person(offers={"x"}, seeks={"y"})  # languages not stated: assumed to get along
    scores = score_pairs([a, b, c, d])
    assert scores.value(0, 1) == 0
    assert scores.value(0, 2) == 4
    assert scores.value(0, 3) == 4
    assert not scores.common_language(0, 1)
    assert (0, 1, 0) not in scores.weighted_pairs()


def test_reasons_say_who_seeks_what_from_whom(catalog):
    lena = person(offers={"golf-travel"}, seeks={"event-venues", "office-furniture"})
    avi = person(offers={"event-venues", "office-furniture"}, seeks={"golf-travel"})
    scores = score_pairs([lena, avi])
    assert scores.reasons(0, 1) == (
        Reason(0, 1, "event-venues"),
        Reason(0, 1, "office-furniture"),
        Reason(1, 0, "golf-travel"),
    )
    assert Reason(0, 1, "event-venues").describe(["Lena", "Avi"], catalog) == (
        "Lena seeks event venues, which Avi offers"
    )
    assert Reason(0, 1, "event-venues").describe(["Lena", "Avi"], catalog, "sv") == (
        "Lena seeks eventlokaler, which Avi offers"
    )
    text = scores.pair(1, 0).describe(["Lena", "Avi"], catalog)
    assert text == (
        "Lena seeks event venues and office furniture, which Avi offers; "
        "Avi seeks golf travel, which Lena offers (win-win)"
    )


def test_boost_adds_value_and_block_zeroes_it():
    profiles = [person(seeks={"x"}), person(offers={"x"}), person(), person(languages={"he"})]
    scores = score_pairs(
        profiles + [person(languages={"sv"})],
        boosts={(2, 0): 2.5, (3, 4): 1.0},
        blocks=[(1, 0)],
    )
    assert scores.value(0, 1) == 0 and scores.is_blocked(1, 0)
    assert scores.blocked == {(0, 1)}
    assert scores.value(0, 2) == 2.5
    assert scores.value(3, 4) == 1.0  # the organiser's boost holds even without a language
    pair = scores.pair(0, 1)
    assert pair.blocked and pair.value == 0
    assert set(scores.weighted_pairs()) == {(0, 2, 2.5), (3, 4, 1.0)}
    with pytest.raises(ValueError):
        score_pairs(profiles, blocks=[(0, 9)])


def test_weights_refuse_a_win_win_worth_less_than_one_way():
    with pytest.raises(ValueError):
        Weights(mutual=0.5)
    with pytest.raises(ValueError):
        Weights(one_way=-1)


def naive_value(a: Profile, b: Profile, w: Weights) -> float:
    if a.languages and b.languages and not a.languages & b.languages:
        return 0.0
    ab, ba = len(a.seeks & b.offers), len(b.seeks & a.offers)
    return w.one_way * (ab + ba) * (w.mutual if ab and ba else 1)


def random_profiles(rng: random.Random, n: int, tags: int) -> list[Profile]:
    keys = [f"t{k}" for k in range(tags)]
    return [
        person(
            rng.sample(keys, rng.randint(0, 3)),
            rng.sample(keys, rng.randint(0, 3)),
            rng.sample(["sv", "en", "he"], rng.randint(0, 2)),
        )
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_values_equal_the_definition(seed):
    rng = random.Random(seed)
    profiles = random_profiles(rng, 30, 8)
    w = Weights(one_way=rng.choice([1.0, 0.5]), mutual=rng.choice([1.0, 2.0, 3.5]))
    scores = score_pairs(profiles, w)
    expected = {
        (i, j, naive_value(profiles[i], profiles[j], w))
        for i, j in itertools.combinations(range(30), 2)
        if naive_value(profiles[i], profiles[j], w) > 0
    }
    assert set(scores.weighted_pairs()) == expected


def test_400_people_and_40_tags_score_well_under_a_second():
    profiles = random_profiles(random.Random(1), 400, 40)
    start = time.perf_counter()
    pairs = PairScores(profiles).weighted_pairs()
    assert time.perf_counter() - start < 1.0
    assert pairs


# ---------------------------------------------------------------- introductions


def test_tablemates_lists_shared_rounds():
    rounds = [[[0, 1], [2, 3]], [[0, 2], [1, 3]], [[0, 1], [2, 3]]]
    assert tablemates(0, rounds) == {1: (0, 2), 2: (1,)}


def test_introductions_join_people_the_plan_keeps_apart():
    # 0 meets 1 in round 0 and 2 in round 1; 1 seeks what 2 offers but they never meet.
    profiles = [person(), person(seeks={"x"}), person(offers={"x"}), person(offers={"x"})]
    scores = score_pairs(profiles)
    rounds = [[[0, 1], [2, 3]], [[0, 2], [1, 3]]]
    assert introductions(0, rounds, scores) == (Introduction(0, 1, 2, (Reason(1, 2, "x"),)),)
    # 3 also sat with both (2 in round 0, 1 in round 1); 1 and 3 met, so 3 is not introduced.
    assert introductions(3, rounds, scores) == (Introduction(3, 1, 2, (Reason(1, 2, "x"),)),)
    assert introductions(1, rounds, scores) == ()


def test_no_introductions_when_they_already_meet_or_cannot_talk_or_are_hidden():
    profiles = [person(), person(seeks={"x"}), person(offers={"x"})]
    together = [[[0, 1, 2]]]
    assert introductions(0, together, score_pairs(profiles)) == ()
    apart = [[[0, 1], [2]], [[0, 2], [1]]]
    assert introductions(0, apart, score_pairs(profiles))
    assert introductions(0, apart, score_pairs(profiles), hidden={2}) == ()
    assert introductions(0, apart, score_pairs(profiles, blocks=[(1, 2)])) == ()
    mute = [person(), person(seeks={"x"}, languages={"sv"}), person(offers={"x"}, languages={"he"})]
    assert introductions(0, apart, score_pairs(mute)) == ()


def test_introduction_describes_itself(catalog):
    intro = Introduction(0, 1, 2, (Reason(1, 2, "event-venues"),))
    assert intro.describe(["Pia", "Lena", "Avi"], catalog) == (
        "Introduce Lena to Avi: Lena seeks event venues, which Avi offers"
    )

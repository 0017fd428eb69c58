from handoff.decide.sentiment import score


def test_negative_text_scores_below_zero() -> None:
    assert score("This is terrible, I am furious and nothing works") < -0.5


def test_positive_text_scores_above_zero() -> None:
    assert score("Thanks, that worked perfectly, you are great!") > 0.5


def test_empty_text_is_neutral() -> None:
    assert score("") == 0.0
    assert score("   ") == 0.0

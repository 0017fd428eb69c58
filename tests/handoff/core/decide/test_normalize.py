import pytest

from handoff.core.decide.normalize import correct_token, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("talk to sb from ur team", "talk to someone from your team"),
        ("agent pls", "agent please"),
        ("I can't understand u", "i can not understand you"),
        ("Pleeeease, a REAL person!!!", "please a real person"),
        ("Ich möchte mein Konto kündigen", "ich mochte mein konto kundigen"),
        ("can i talk to a hman agnet", "can i talk to a human agent"),
        ("I changed ym mind, cancle my account", "i changed my mind cancel my account"),
        ("how toclose myprofile", "how to close my profile"),
        ("my fucking profile", "my profile"),
        ("the card's security", "the cards security"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize("word", ["change", "contract", "cancer", "remote", "agenda", "authorized", "persona", "humano"])
def test_real_words_are_not_corrected(word: str) -> None:
    assert correct_token(word) == word


def test_typos_can_be_switched_off() -> None:
    assert normalize("hman", typos=False) == "hman"

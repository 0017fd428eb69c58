"""Words around a credential in the languages the briefing speaks (and a few more), as regular expression
fragments for handoff.core.masking.credentials and .cards: what names a password, a key or a card's
security code, the verbs between the word and the value, and words that describe a password rather
than spell it."""
from __future__ import annotations

PASSWORD_WORDS = (
    r"passwords?|passwd|pwd|pw|pass\s?code|pass\s?phrase|passwort|kennwort|contrase[ñn]as?|clave|"
    r"mot\s+de\s+passe|mdp|senhas?|palavra[\s-]passe|wachtwoord|l[öo]senord|has[łl]o|pin(?:\s?code)?|code\s+pin"
)
KEY_WORDS = r"api[\s_-]?key|apikey|secret(?:[\s_-]?key)?|client[\s_-]?secret|access[\s_-]?token|auth[\s_-]?token|token|private[\s_-]?key"
VERBS = r"is|was|are|'s|es|era|est|était|etait|ist|war|lautet|é|è|sera|will\s+be"
# Words after "my password is" that describe it rather than spell it.
NOT_A_PASSWORD = frozenset("""
    not no wrong incorrect invalid correct right fine ok okay working expired locked blocked reset changed
    too still being the a an my your his her our their same different new old long short weak strong also
    already now required empty missing gone lost stolen compromised hacked just only in on that this what for
    saved stored set sent there here valid accepted rejected denied case definitely really very never
    nicht falsch richtig mein meine zu abgelaufen gesperrt ungültig pas faux mon ma le la trop bloqué expiré
    incorrecta correcta mi el muy caducada bloqueada não errada minha o um uma una un une ein eine
""".split())

CVC_WORDS = (
    r"cvv2?|cvc2?|cvn|csc|cid|security\s+code|card\s+code|c[óo]digo\s+de\s+seguridad|cryptogramme|"
    r"(?:karten)?pr[üu]fnummer|c[óo]digo\s+de\s+seguran[çc]a"
)
# between a security-code word and the code ("CVC is 123", "cryptogramme : 123", "Prüfnummer = 123")
CVC_JOINERS = r"is|es|est|ist|é|:|=|#|-"

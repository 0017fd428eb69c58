"""Sentiment word lists for Spanish, French, German and Portuguese (English uses VADER).

Words are in the matcher's folded form (lower case, no accents, ß as ss). Valence from -3 (very negative)
to +3 (very positive), on VADER's scale so the thresholds in settings mean the same in every language.
Stems ending in "*" match any word starting with them. Written for this project (GPL-3.0-or-later).
"""
from __future__ import annotations

LEXICONS: dict[str, dict[str, float]] = {
    "es": {
        # negative
        "malo": -1.8, "mala": -1.8, "malisimo": -2.8, "malisima": -2.8, "pesimo": -2.9, "pesima": -2.9,
        "horrible": -2.7, "terrible": -2.7, "fatal": -2.4, "asco": -2.6, "asqueroso": -2.8, "basura": -2.6,
        "inutil": -2.4, "inutiles": -2.4, "ridiculo": -2.2, "ridicula": -2.2, "vergonzoso": -2.4,
        "verguenza": -2.2, "inaceptable": -2.6, "indignado": -2.5, "indignada": -2.5, "harto": -2.3,
        "harta": -2.3, "enfadado": -2.2, "enfadada": -2.2, "enojado": -2.2, "enojada": -2.2,
        "furioso": -2.8, "furiosa": -2.8, "molesto": -1.6, "molesta": -1.6, "frustrado": -2.1,
        "frustrada": -2.1, "frustrante": -2.1, "decepcionado": -2.0, "decepcionada": -2.0,
        "decepcion": -2.0, "estafa": -2.8, "robo": -2.6, "timo": -2.6, "mentira": -2.0, "mentiras": -2.0,
        "desastre": -2.6, "problema": -0.8, "problemas": -0.8, "error": -0.9, "fallo": -1.2, "falla": -1.2,
        "roto": -1.4, "rota": -1.4, "lento": -1.0, "peor": -2.1, "odio": -2.8, "triste": -1.8,
        "preocupado": -1.3, "preocupada": -1.3, "urgente": -0.6, "nunca": -0.6, "imposible": -1.5,
        "mierda": -3.0, "joder": -2.5, "cabreado": -2.6, "cabreada": -2.6, "porqueria": -2.7,
        "tomadura": -2.0, "queja": -1.5, "reclamacion": -1.2, "abusivo": -2.4, "engano": -2.4,
        # positive
        "bueno": 1.8, "buena": 1.8, "bien": 1.5, "genial": 2.6, "perfecto": 2.7, "perfecta": 2.7,
        "excelente": 3.0, "gracias": 1.7, "graciass": 1.7, "encantado": 2.2, "encantada": 2.2,
        "fantastico": 2.8, "estupendo": 2.6, "increible": 2.4, "util": 1.6, "amable": 1.9,
        "rapido": 1.2, "resuelto": 1.6, "solucionado": 1.7, "contento": 2.1, "contenta": 2.1,
        "feliz": 2.4, "maravilloso": 2.8, "guay": 2.0, "chevere": 2.0, "bacan": 2.0, "listo": 1.0,
        "vale": 0.6, "ok": 0.6, "super": 1.8, "ayuda": 0.6, "ayudo": 1.2,
    },
    "fr": {
        "mauvais": -1.9, "mauvaise": -1.9, "nul": -2.4, "nulle": -2.4, "nuls": -2.4, "horrible": -2.7,
        "terrible": -2.2, "affreux": -2.6, "lamentable": -2.6, "minable": -2.5, "inutile": -2.2,
        "ridicule": -2.2, "honteux": -2.5, "honte": -2.2, "inadmissible": -2.7, "inacceptable": -2.6,
        "scandaleux": -2.7, "scandale": -2.5, "marre": -2.3, "enerve": -2.2, "enervee": -2.2,
        "enervant": -2.1, "furieux": -2.8, "furieuse": -2.8, "fache": -2.1, "fachee": -2.1,
        "agace": -1.7, "agacee": -1.7, "frustre": -2.1, "frustree": -2.1, "frustrant": -2.1,
        "decu": -2.0, "decue": -2.0, "deception": -2.0, "arnaque": -2.8, "escroquerie": -2.8,
        "vol": -2.2, "mensonge": -2.0, "catastrophe": -2.6, "catastrophique": -2.7, "probleme": -0.8,
        "problemes": -0.8, "erreur": -0.9, "bug": -1.0, "panne": -1.3, "casse": -1.4, "lent": -1.0,
        "pire": -2.1, "deteste": -2.7, "triste": -1.8, "inquiet": -1.3, "inquiete": -1.3,
        "jamais": -0.6, "impossible": -1.5, "merde": -3.0, "putain": -2.6, "pourri": -2.6,
        "plainte": -1.5, "reclamation": -1.2, "abusif": -2.4, "degoute": -2.6, "galere": -1.8,
        "bon": 1.6, "bonne": 1.6, "bien": 1.5, "super": 2.3, "genial": 2.6, "parfait": 2.7, "parfaite": 2.7,
        "excellent": 3.0, "merci": 1.7, "mercii": 1.7, "ravi": 2.3, "ravie": 2.3, "top": 2.0,
        "formidable": 2.7, "incroyable": 2.3, "utile": 1.6, "aimable": 1.9, "rapide": 1.2,
        "resolu": 1.6, "regle": 1.3, "content": 2.1, "contente": 2.1, "heureux": 2.4, "heureuse": 2.4,
        "merveilleux": 2.8, "nickel": 2.2, "impeccable": 2.5, "cool": 1.8, "ok": 0.6, "daccord": 0.8,
    },
    "de": {
        "schlecht": -1.9, "schlechter": -2.0, "schlimm": -2.0, "schrecklich": -2.7, "furchtbar": -2.7,
        "grauenhaft": -2.8, "katastrophe": -2.6, "katastrophal": -2.7, "mies": -2.2, "mist": -2.2,
        "scheisse": -3.0, "beschissen": -3.0, "nutzlos": -2.3, "unbrauchbar": -2.4, "lacherlich": -2.2,
        "unverschamt": -2.6, "unverschamtheit": -2.7, "frechheit": -2.6, "inakzeptabel": -2.6,
        "skandal": -2.5, "sauer": -2.1, "wutend": -2.7, "verargert": -2.1, "genervt": -2.1, "nervig": -1.9,
        "frustriert": -2.1, "frustrierend": -2.1, "enttauscht": -2.0, "enttauschung": -2.0,
        "betrug": -2.8, "abzocke": -2.8, "betrugerisch": -2.8, "luge": -2.0, "lugen": -2.0,
        "problem": -0.8, "probleme": -0.8, "fehler": -0.9, "kaputt": -1.5, "langsam": -1.0,
        "schlimmste": -2.6, "hasse": -2.8, "traurig": -1.8, "besorgt": -1.3, "niemals": -0.7,
        "unmoglich": -1.5, "beschwerde": -1.5, "reklamation": -1.2, "zumutung": -2.6, "satt": -1.6,
        "gut": 1.8, "super": 2.3, "toll": 2.5, "klasse": 2.4, "prima": 2.4, "perfekt": 2.7, "genial": 2.6,
        "hervorragend": 3.0, "ausgezeichnet": 3.0, "danke": 1.7, "dankeschon": 1.9, "vielen": 0.4,
        "freundlich": 1.9, "hilfreich": 1.8, "schnell": 1.2, "gelost": 1.6, "erledigt": 1.3,
        "zufrieden": 2.1, "glucklich": 2.4, "wunderbar": 2.8, "spitze": 2.6, "cool": 1.8, "klappt": 1.2,
        "funktioniert": 0.8, "ok": 0.6, "okay": 0.6, "passt": 1.0,
    },
    "pt": {
        "mau": -1.8, "ruim": -1.9, "pessimo": -2.9, "pessima": -2.9, "horrivel": -2.7,
        "terrivel": -2.7, "nojo": -2.6, "lixo": -2.6, "inutil": -2.4, "ridiculo": -2.2, "ridicula": -2.2,
        "vergonha": -2.2, "vergonhoso": -2.4, "inaceitavel": -2.6, "absurdo": -2.3, "indignado": -2.5,
        "indignada": -2.5, "farto": -2.3, "farta": -2.3, "cansado": -1.3, "cansada": -1.3,
        "irritado": -2.1, "irritada": -2.1, "bravo": -1.8, "brava": -1.8, "furioso": -2.8, "furiosa": -2.8,
        "chateado": -1.9, "chateada": -1.9, "frustrado": -2.1, "frustrada": -2.1, "frustrante": -2.1,
        "decepcionado": -2.0, "decepcionada": -2.0, "decepcao": -2.0, "golpe": -2.6, "fraude": -2.6,
        "roubo": -2.6, "mentira": -2.0, "desastre": -2.6, "problema": -0.8, "problemas": -0.8,
        "erro": -0.9, "falha": -1.2, "quebrado": -1.4, "lento": -1.0, "pior": -2.1, "odeio": -2.8,
        "triste": -1.8, "preocupado": -1.3, "preocupada": -1.3, "nunca": -0.6, "impossivel": -1.5,
        "merda": -3.0, "porcaria": -2.7, "droga": -1.9, "reclamacao": -1.4, "abusivo": -2.4, "palhacada": -2.5,
        "bom": 1.8, "boa": 1.8, "bem": 1.5, "otimo": 2.7, "otima": 2.7, "perfeito": 2.7, "perfeita": 2.7,
        "excelente": 3.0, "obrigado": 1.7, "obrigada": 1.7, "obg": 1.5, "valeu": 1.7, "show": 2.0,
        "maravilhoso": 2.8, "incrivel": 2.4, "util": 1.6, "gentil": 1.9, "rapido": 1.2, "resolvido": 1.7,
        "contente": 2.1, "feliz": 2.4, "top": 2.0, "massa": 1.8, "legal": 1.8, "beleza": 1.6, "ok": 0.6,
        "certo": 0.6, "ajudou": 1.3,
    },
}

NEGATORS: dict[str, frozenset[str]] = {
    "es": frozenset("no nunca jamas ni tampoco sin nada".split()),
    "fr": frozenset("pas ne jamais plus aucun aucune sans ni rien".split()),
    "de": frozenset("nicht kein keine keinen keiner nie niemals ohne nichts".split()),
    "pt": frozenset("nao nunca jamais nem sem nada nenhum nenhuma".split()),
}

BOOSTERS: dict[str, frozenset[str]] = {
    "es": frozenset("muy mucho tan super demasiado totalmente realmente bastante re".split()),
    "fr": frozenset("tres trop vraiment tellement super completement totalement hyper grave".split()),
    "de": frozenset("sehr total echt wirklich extrem voll absolut ziemlich mega so".split()),
    "pt": frozenset("muito mto demais totalmente realmente super bem tao".split()),
}

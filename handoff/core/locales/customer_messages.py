"""What the customer is told when handed to a person (assigned, queued, off hours), per language.

Settings may replace any template (`[routing.messages.<lang>]`); handoff.core.route.messages checks and fills them.
"""
from __future__ import annotations

# a template's text, or the list of weekday or month names
LocaleTable = dict[str, str | list[str]]

_EN: LocaleTable = {
    "greeting": "Thanks.",
    "greeting_named": "Thanks, {customer_name}.",
    "assigned": (
        "{greeting} I'm bringing in {agent_name} from our {team} team; they'll be with you in about {wait}. "
        "They can see our whole conversation, so you won't need to repeat anything."
    ),
    "queued": (
        "{greeting} Our {team} team is helping other customers right now. You're number {position} in line, "
        "and someone should be with you in about {wait}. They'll see our whole conversation, so you won't "
        "need to repeat anything."
    ),
    "off_hours": (
        "{greeting} Our {team} team is offline right now, so I've passed everything to them and they'll get "
        "back to you {callback}. They'll see our whole conversation, so you won't need to repeat anything."
    ),
    "wait_minute": "1 minute",
    "wait_minutes": "{n} minutes",
    "wait_hour": "1 hour",
    "wait_hours": "{n} hours",
    "callback_today": "today at {time} {tz}",
    "callback_tomorrow": "tomorrow at {time} {tz}",
    "callback_weekday": "on {weekday} at {time} {tz}",
    "callback_date": "on {weekday}, {month} {day} at {time} {tz}",
    "agent_language": "{agent_name} will write to you in {language}.",
    "clock": "12h",
    "weekdays": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"],
}
_ES: LocaleTable = {
    "greeting": "Gracias.",
    "greeting_named": "Gracias, {customer_name}.",
    "assigned": (
        "{greeting} Te paso con {agent_name}, de nuestro equipo de {team}, que te atenderá en "
        "aproximadamente {wait}. Puede ver toda nuestra conversación, así que no tendrás que repetir nada."
    ),
    "queued": (
        "{greeting} Nuestro equipo de {team} está atendiendo a otros clientes en este momento. Tienes el "
        "número {position} en la cola y alguien te atenderá en aproximadamente {wait}. Verán toda nuestra "
        "conversación, así que no tendrás que repetir nada."
    ),
    "off_hours": (
        "{greeting} Nuestro equipo de {team} no está disponible ahora mismo; ya se lo he pasado todo y te "
        "responderán {callback}. Verán toda nuestra conversación, así que no tendrás que repetir nada."
    ),
    "wait_minute": "1 minuto",
    "wait_minutes": "{n} minutos",
    "wait_hour": "1 hora",
    "wait_hours": "{n} horas",
    "callback_today": "hoy a las {time} ({tz})",
    "callback_tomorrow": "mañana a las {time} ({tz})",
    "callback_weekday": "el {weekday} a las {time} ({tz})",
    "callback_date": "el {weekday} {day} de {month} a las {time} ({tz})",
    "agent_language": "{agent_name} te escribirá en {language}.",
    "clock": "24h",
    "weekdays": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "months": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
               "octubre", "noviembre", "diciembre"],
}
_FR: LocaleTable = {
    "greeting": "Merci.",
    "greeting_named": "Merci, {customer_name}.",
    "assigned": (
        "{greeting} Je fais appel à {agent_name}, de notre équipe {team}, qui sera avec vous dans environ "
        "{wait}. Cette personne voit toute notre conversation : vous n'aurez rien à répéter."
    ),
    "queued": (
        "{greeting} Notre équipe {team} aide d'autres clients en ce moment. Vous êtes numéro {position} dans "
        "la file d'attente et quelqu'un sera avec vous dans environ {wait}. L'équipe verra toute notre "
        "conversation : vous n'aurez rien à répéter."
    ),
    "off_hours": (
        "{greeting} Notre équipe {team} n'est pas disponible pour le moment ; je lui ai tout transmis et "
        "elle vous répondra {callback}. Elle verra toute notre conversation : vous n'aurez rien à répéter."
    ),
    "wait_minute": "1 minute",
    "wait_minutes": "{n} minutes",
    "wait_hour": "1 heure",
    "wait_hours": "{n} heures",
    "callback_today": "aujourd'hui à {time} ({tz})",
    "callback_tomorrow": "demain à {time} ({tz})",
    "callback_weekday": "{weekday} à {time} ({tz})",
    "callback_date": "le {weekday} {day} {month} à {time} ({tz})",
    "agent_language": "{agent_name} vous écrira en {language}.",
    "clock": "24h",
    "weekdays": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
               "octobre", "novembre", "décembre"],
}
_DE: LocaleTable = {
    "greeting": "Danke.",
    "greeting_named": "Danke, {customer_name}.",
    "assigned": (
        "{greeting} Ich hole {agent_name} aus unserem {team}-Team dazu; in etwa {wait} ist jemand für Sie da. "
        "Das Team sieht unser ganzes Gespräch, Sie müssen also nichts wiederholen."
    ),
    "queued": (
        "{greeting} Unser {team}-Team hilft gerade anderen Kunden. Sie sind Nummer {position} in der "
        "Warteschlange; in etwa {wait} ist jemand für Sie da. Das Team sieht unser ganzes Gespräch, Sie "
        "müssen also nichts wiederholen."
    ),
    "off_hours": (
        "{greeting} Unser {team}-Team ist gerade nicht erreichbar. Ich habe alles weitergegeben, und das Team "
        "meldet sich {callback}. Es sieht unser ganzes Gespräch, Sie müssen also nichts wiederholen."
    ),
    "wait_minute": "1 Minute",
    "wait_minutes": "{n} Minuten",
    "wait_hour": "1 Stunde",
    "wait_hours": "{n} Stunden",
    "callback_today": "heute um {time} Uhr ({tz})",
    "callback_tomorrow": "morgen um {time} Uhr ({tz})",
    "callback_weekday": "am {weekday} um {time} Uhr ({tz})",
    "callback_date": "am {weekday}, {day}. {month}, um {time} Uhr ({tz})",
    "agent_language": "{agent_name} schreibt Ihnen auf {language}.",
    "clock": "24h",
    "weekdays": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "months": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
               "Oktober", "November", "Dezember"],
}
_PT: LocaleTable = {
    "greeting": "Obrigado.",
    "greeting_named": "Obrigado, {customer_name}.",
    "assigned": (
        "{greeting} Vou chamar {agent_name}, da nossa equipe de {team}, que vai atender você em cerca de "
        "{wait}. A equipe vê toda a nossa conversa, então você não vai precisar repetir nada."
    ),
    "queued": (
        "{greeting} Nossa equipe de {team} está atendendo outros clientes agora. Você é o número {position} "
        "na fila, e alguém vai atender você em cerca de {wait}. A equipe vê toda a nossa conversa, então "
        "você não vai precisar repetir nada."
    ),
    "off_hours": (
        "{greeting} Nossa equipe de {team} não está disponível agora. Já passei tudo para ela, e ela vai "
        "responder {callback}. A equipe vê toda a nossa conversa, então você não vai precisar repetir nada."
    ),
    "wait_minute": "1 minuto",
    "wait_minutes": "{n} minutos",
    "wait_hour": "1 hora",
    "wait_hours": "{n} horas",
    "callback_today": "hoje às {time} ({tz})",
    "callback_tomorrow": "amanhã às {time} ({tz})",
    "callback_weekday": "{weekday} às {time} ({tz})",
    "callback_date": "{weekday}, {day} de {month}, às {time} ({tz})",
    "agent_language": "{agent_name} vai escrever para você em {language}.",
    "clock": "24h",
    "weekdays": ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado",
                 "domingo"],
    "months": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
               "outubro", "novembro", "dezembro"],
}
DEFAULT_TEMPLATES: dict[str, LocaleTable] = {"en": _EN, "es": _ES, "fr": _FR, "de": _DE, "pt": _PT}

# A language's name in each customer language, for "Sam will write to you in English".
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese"},
    "es": {"en": "inglés", "es": "español", "fr": "francés", "de": "alemán", "pt": "portugués"},
    "fr": {"en": "anglais", "es": "espagnol", "fr": "français", "de": "allemand", "pt": "portugais"},
    "de": {"en": "Englisch", "es": "Spanisch", "fr": "Französisch", "de": "Deutsch", "pt": "Portugiesisch"},
    "pt": {"en": "inglês", "es": "espanhol", "fr": "francês", "de": "alemão", "pt": "português"},
}

# What a customer is told on a conversation whose handoff was erased (handoff erase): the conversation stays
# with the people, but the message made for it quoted the customer and was erased, and an erasure marker
# must never reach a customer. Names nobody and promises no time: the route that gave them is history.
AFTER_ERASURE = {
    "en": "Thanks. A member of our support team will reply to you here.",
    "es": "Gracias. Una persona de nuestro equipo de soporte te responderá aquí.",
    "fr": "Merci. Un membre de notre équipe d'assistance vous répondra ici.",
    "de": "Danke. Jemand aus unserem Support-Team antwortet Ihnen hier.",
    "pt": "Obrigado. Alguém da nossa equipe de suporte vai responder você aqui.",
}


def after_erasure(language: str | None) -> str:
    """The neutral message for a turn of a conversation whose handoff was erased, in `language` if known."""
    base = (language or "en").replace("_", "-").split("-")[0].lower()
    return AFTER_ERASURE.get(base, AFTER_ERASURE["en"])

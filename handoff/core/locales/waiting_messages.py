"""What a waiting customer is told (place in line, alternatives, their choice confirmed) and how the agent who
takes over is introduced, per language; handoff.core.update_texts fills them."""
from __future__ import annotations

WAITING_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "position": "You're now {ordinal} in line.",
        "next": "You're next in line.",
        "soon_minute": "Someone will be with you in about a minute.",
        "soon": "Someone will be with you in about {wait}.",
        "alternatives": ("Thanks for waiting: it's taking longer than we'd like. If you'd rather not wait, we can "
                         "get back to you {callback}, or follow up by e-mail. Or keep waiting: you won't lose your "
                         "place."),
        "choice_callback": "Get back to me {callback}",
        "choice_email": "Follow up by e-mail",
        "choice_keep_waiting": "Keep waiting",
        "confirmed_callback": ("Done: our {team} team will get back to you {callback}. They'll see our whole "
                               "conversation, so you won't need to repeat anything."),
        "confirmed_email": ("Done: our {team} team will follow up by e-mail as soon as someone is free. They'll see "
                            "our whole conversation, so you won't need to repeat anything."),
        "confirmed_keep_waiting": "Thanks for your patience. You keep your place in line, and we'll keep you posted.",
        "intro": "I'm bringing in {agent_name} from our {team} team.",
        "intro_about": "{agent_name}, {customer} is asking about {about}.",
        "intro_quote": "{agent_name}, {customer} wrote: “{quote}”.",
        "intro_checked": "What I've already done: {checked}.",
        "the_customer": "the customer",
    },
    "es": {
        "position": "Ahora estás en el {ordinal} lugar de la fila.",
        "next": "Eres el siguiente en la fila.",
        "soon_minute": "Alguien te atenderá en aproximadamente un minuto.",
        "soon": "Alguien te atenderá en aproximadamente {wait}.",
        "alternatives": ("Gracias por esperar: está tardando más de lo que quisiéramos. Si prefieres no esperar, "
                         "podemos volver a contactarte {callback} o responderte por correo electrónico. También "
                         "puedes seguir esperando: no perderás tu lugar."),
        "choice_callback": "Volver a contactarme {callback}",
        "choice_email": "Responderme por correo electrónico",
        "choice_keep_waiting": "Seguir esperando",
        "confirmed_callback": ("Hecho: nuestro equipo de {team} volverá a contactarte {callback}. Verán toda nuestra "
                               "conversación, así que no tendrás que repetir nada."),
        "confirmed_email": ("Hecho: nuestro equipo de {team} te responderá por correo electrónico en cuanto alguien "
                            "esté libre. Verán toda nuestra conversación, así que no tendrás que repetir nada."),
        "confirmed_keep_waiting": "Gracias por tu paciencia. Conservas tu lugar en la fila y te mantendremos al tanto.",
        "intro": "Te paso con {agent_name}, de nuestro equipo de {team}.",
        "intro_about": "{agent_name}, {customer} pregunta por {about}.",
        "intro_quote": "{agent_name}, {customer} escribió: «{quote}».",
        "intro_checked": "Lo que ya he hecho: {checked}.",
        "the_customer": "el cliente",
    },
    "fr": {
        "position": "Vous êtes maintenant {ordinal} dans la file d'attente.",
        "next": "Vous êtes le prochain dans la file d'attente.",
        "soon_minute": "Quelqu'un sera avec vous dans environ une minute.",
        "soon": "Quelqu'un sera avec vous dans environ {wait}.",
        "alternatives": ("Merci de votre patience : l'attente est plus longue que prévu. Si vous préférez ne pas "
                         "attendre, nous pouvons revenir vers vous {callback} ou vous répondre par e-mail. Vous "
                         "pouvez aussi continuer d'attendre : vous garderez votre place."),
        "choice_callback": "Me recontacter {callback}",
        "choice_email": "Me répondre par e-mail",
        "choice_keep_waiting": "Continuer d'attendre",
        "confirmed_callback": ("C'est noté : notre équipe {team} reviendra vers vous {callback}. Elle verra toute "
                               "notre conversation : vous n'aurez rien à répéter."),
        "confirmed_email": ("C'est noté : notre équipe {team} vous répondra par e-mail dès que quelqu'un sera "
                            "disponible. Elle verra toute notre conversation : vous n'aurez rien à répéter."),
        "confirmed_keep_waiting": ("Merci de votre patience. Vous gardez votre place dans la file et nous vous "
                                   "tiendrons au courant."),
        "intro": "Je fais appel à {agent_name}, de notre équipe {team}.",
        "intro_about": "{agent_name}, {customer} a une question sur {about}.",
        "intro_quote": "{agent_name}, {customer} a écrit : « {quote} ».",
        "intro_checked": "Ce que j'ai déjà fait : {checked}.",
        "the_customer": "le client",
    },
    "de": {
        "position": "Sie sind jetzt an {ordinal} Stelle in der Warteschlange.",
        "next": "Sie sind als Nächstes an der Reihe.",
        "soon_minute": "In etwa einer Minute ist jemand für Sie da.",
        "soon": "In etwa {wait} ist jemand für Sie da.",
        "alternatives": ("Danke fürs Warten: Es dauert länger als gedacht. Wenn Sie nicht länger warten möchten, "
                         "melden wir uns {callback} bei Ihnen oder antworten per E-Mail. Sie können auch weiter "
                         "warten: Ihr Platz bleibt erhalten."),
        "choice_callback": "Rückmeldung {callback}",
        "choice_email": "Antwort per E-Mail",
        "choice_keep_waiting": "Weiter warten",
        "confirmed_callback": ("Erledigt: Unser {team}-Team meldet sich {callback} bei Ihnen. Es sieht unser ganzes "
                               "Gespräch, Sie müssen also nichts wiederholen."),
        "confirmed_email": ("Erledigt: Unser {team}-Team antwortet Ihnen per E-Mail, sobald jemand frei ist. Es sieht "
                            "unser ganzes Gespräch, Sie müssen also nichts wiederholen."),
        "confirmed_keep_waiting": ("Danke für Ihre Geduld. Ihr Platz in der Warteschlange bleibt erhalten, und wir "
                                   "halten Sie auf dem Laufenden."),
        "intro": "Ich hole {agent_name} aus unserem {team}-Team dazu.",
        "intro_about": "{agent_name}, {customer} fragt nach {about}.",
        "intro_quote": "{agent_name}, {customer} schrieb: „{quote}“.",
        "intro_checked": "Was ich schon getan habe: {checked}.",
        "the_customer": "der Kunde",
    },
    "pt": {
        "position": "Agora você é o {ordinal} da fila.",
        "next": "Você é o próximo da fila.",
        "soon_minute": "Alguém vai atender você em cerca de um minuto.",
        "soon": "Alguém vai atender você em cerca de {wait}.",
        "alternatives": ("Obrigado por esperar: está demorando mais do que gostaríamos. Se preferir não esperar, "
                         "podemos retornar o contato {callback} ou responder por e-mail. Você também pode continuar "
                         "esperando: não vai perder seu lugar."),
        "choice_callback": "Retornar o contato {callback}",
        "choice_email": "Responder por e-mail",
        "choice_keep_waiting": "Continuar esperando",
        "confirmed_callback": ("Pronto: nossa equipe de {team} vai retornar o contato {callback}. A equipe vê toda a "
                               "nossa conversa, então você não vai precisar repetir nada."),
        "confirmed_email": ("Pronto: nossa equipe de {team} vai responder por e-mail assim que alguém estiver livre. "
                            "A equipe vê toda a nossa conversa, então você não vai precisar repetir nada."),
        "confirmed_keep_waiting": ("Obrigado pela paciência. Você mantém seu lugar na fila, e vamos manter você "
                                   "informado."),
        "intro": "Vou chamar {agent_name}, da nossa equipe de {team}.",
        "intro_about": "{agent_name}, {customer} está perguntando sobre {about}.",
        "intro_quote": "{agent_name}, {customer} escreveu: “{quote}”.",
        "intro_checked": "O que eu já fiz: {checked}.",
        "the_customer": "o cliente",
    },
}


def ordinal(n: int, language: str) -> str:
    """`n` as a place in line, written as the language writes ordinals: 2nd, 2.º, 2e, 2., 2º."""
    if language == "es":
        return f"{n}.º"
    if language == "fr":
        return "1er" if n == 1 else f"{n}e"
    if language == "de":
        return f"{n}."
    if language == "pt":
        return f"{n}º"
    suffix = "th" if 10 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"

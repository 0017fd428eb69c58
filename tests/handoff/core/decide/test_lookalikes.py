"""Look-alike guards: a trigger keyword in a routine sense is not a hit; the same keyword meant is still one."""
import pytest

from handoff.core.decide import TriggerSettings
from handoff.core.decide.matchers import for_settings
from handoff.core.decide.normalize import normalize

M = for_settings(TriggerSettings(learned={"enabled": False}))


def hit(text: str) -> str | None:
    """The rule that fires on a message: 'explicit', a category, or None."""
    norm = normalize(text)
    if M.find_explicit(norm):
        return "explicit"
    cat = M.find_category(norm)
    if cat is None and M.find_circumstance(norm):
        return "sensitive"  # told as the matter or in passing: the engine asks the learned layer which
    return cat[0] if cat else None


@pytest.mark.parametrize(
    "text",
    [
        "pas besoin d'un humain, c'est réglé. merci",
        "i was going to ask for a human but maybe you can help: can i add my wife's name to the booking?",
        "iba a pedir hablar con una persona pero pruebo contigo: se puede pagar en 3 plazos?",
        "bevor ich einen Menschen frage: was heißt 'zustellung fehlgeschlagen'?",
        "how do my customers reach a human from your chat widget on my site?",
        "como meus clientes falam com um atendente humano pelo widget de chat que vcs fornecem?",
        "comment mes clients peuvent parler à un humain depuis votre widget ?",
        "how do i hand a chat over to a human agent in my inbox when our bot can't answer",
        "you can call me Bob btw. how do i change my display name",
        "wie lege ich einen neuen Mitarbeiter an mit Start 1. Jänner",
        "kann ich die App mit meiner Garmin verbinden",
        "I'm a lawyer with a 3-person practice, is there a plan for small firms?",
        "como añado un campo de abogado a nuestra plantilla de contrato",
        "we want tickets with the word lawyer in them to go to our senior team",
        "our fraud team wants a dashboard of flagged orders",
        "wie erzwinge ich 3d secure um Betrug zu reduzieren",
        "is this 50% off email a scam or real? looks too good",
        "got a scam sms pretending to be you, i ignored it. do you ever text links?",
        "wie anonymisiere ich IP-Adressen für DSGVO-Konformität",
        "we got a GDPR request from one of our customers, how do i export their data",
        "ich will nicht kündigen, aber kann ich in ein günstigeres Abo wechseln?",
        "kann ich von 2 tb auf 200 gb downgraden statt kündigen?",
        "se me murió el móvil a mitad de la configuración, tengo que empezar de cero?",
        "je suis en arrêt maladie, je dois mettre quelque chose sur mes factures ?",
        "o seguro cobre furto sem violência?",
        "ich hab geglaubt ich wurde gehackt, war aber der neue Fernseher. wie benenne ich Geräte um?",
        "can i edit the chargeback notification email template we send to merchants",
        "8h52, une personne, carte avantage jeune",
        "wie kündige ich nur das Sportpaket, nicht das ganze Abo",
        "wenn ich kündige, läuft es bis zum Ende des bezahlten Jahres?",
        "je suis sur la page résiliation mais je veux juste passer à l'offre moins chère",
        "need a macro for when customers ask to cancel their account",
        "how do i stop the bot replying to my customers on weekends",
        "je dois en parler à mon responsable avant de passer à la formule sup",
        "wo ist eure Datenschutzerklärung? brauch die für eine Hausarbeit",
        "ich hab vorhin schon mit eurem Mitarbeiter telefoniert, alles gut. wann kommt die SIM?",
        "preciso cadastrar um novo funcionário no sistema",
        "quiero quitar a una persona del tour, somos 3 y no 4",
        "y cuando me lo devuelva entero puedo prestarlo a otra persona?",
        "Wie gebe ich einer neuen Mitarbeiterin Zugriff auf meinen Bestand?",
        "je veux ajouter une personne à la réservation",
        "den tv teil will ich kündigen, internet behalten",
        "ich will den glasbruch-baustein aus der hausrat rausnehmen, nicht die ganze versicherung kündigen",
        "hola, no sé si cancelar la suscripción o no",
        "o site pediu pra eu confirmar minha identidade com foto, isso é golpe?",
        "recibí un sms que dice ser de vosotros pidiendo mi pin, ¿es una estafa?",
        "j'ai reçu un mail qui demande mon code, c'est une arnaque ?",
        "someone in my group uses a wheelchair, is the building accessible?",
        "Is there a kitchen someone can use?",
        "no lo puedo pagar de golpe, hay plazos?",
        "i think i've forgotten my password, it's not that i've been hacked or anything",
        "j'ai payé la facture 2 fois, c'est moi qui ai fait une bêtise, comment je récupère?",
        "I think I accidentally paid twice, there are two charges of £24",
        "paguei duas vezes sem querer o boleto",
        "comment me désabonner de la newsletter mais garder les mails de commande",
        "je peux sauter la box de janvier sans me désabonner ?",
        "je veux pas supprimer mon compte, juste le cacher un moment, c'est possible ?",
        "como escondo mi perfil un tiempo sin borrar la cuenta",
        "un employé est parti, je veux transférer ses fichiers à son remplaçant avant de supprimer le compte",
        "where do i put our returns policy? our lawyer wants it linked in the footer",
        "wo kommt die widerrufsbelehrung hin? unser anwalt will sie im footer verlinkt",
        "ce mail -50% c'est une arnaque ou c'est vrai ? ça a l'air trop beau",
        "este correo del 50% es una estafa o es real?",
        "hola!! un cliente NUESTRO nos pidió sus datos por RGPD, cómo los exporto desde la tienda",
        "ein Kunde von UNS hat eine DSGVO-Auskunft angefragt, wie exportier ich seine Daten aus dem Shop",
        "quiero editar la plantilla del email de notificación de contracargo",
        "me llegó un contracargo de un cliente, cómo subo la evidencia?",
        "wo finde ich euren AVV zum Download",
        "como cancelo uma ordem de compra que ainda não executou?",
        "can i keep the pirate costume an extra day? the party got moved to sunday",
        "my husband had a stroke last year so he uses a buggy now, can we book one with the tee time?",
        "o que o toggle \"transferir para humano\" faz no fluxo?",
        "Can you deliver funeral flowers to a church on Friday morning? It's for my gran",
        "created. will breached tickets be highlighted?",
        "ich wollte erst kündigen, aber dann hab ich gesehen es gibt einen Seniorentarif. wie wechsle ich?",
        "mes contacts \"agents immobiliers\" sortent pas dans le segment",
        "où je règle le seuil de détection de fraude sur les tickets en double ?",
        "bajo demanda este mes, que vamos a tope",
        "wie können unsere Mieter bei Notfällen am Wochenende einen Menschen erreichen?",
        "wie lege ich für einen Mitarbeiter eine Kündigung zum 31.12. an?",
        "o app mostra consumo de madrugada alto, normal?",
        "e o consumo médio dos últimos meses?",
        "para el parte del robo de la bici me pedís la denuncia, se puede hacer online?",
        "me he encontrado el coche con un golpe en la puerta, no he sido yo",
        "y si me dan un golpe yo?",
        "me robaron la bici ayer, que tengo q hacer para el seguro",
        "quick q: someone stole my parking spot lol. anyway, can the courier use the back entrance",
        "notre dossier est chez vous depuis trois semaines, la signature du compromis est lundi, où en est l'offre ?",
        "j'ai un accident de stationnement mineur avec la voiture louée, un petit coup de pare-choc",
        "muss ich den hund abmelden wenn er gestorben ist",
        "seit dem neuen VPN-Client kann ich mich im Homeoffice zwar verbinden, aber das Laufwerk fehlt",
        "konnen meine kunden uber das widget einen ruckruf von ner person anfordern?",
    ],
)
def test_lookalikes_do_not_fire(text: str) -> None:
    assert hit(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the guards must leave these alone: each once fell to a first draft of them
        ("Ich bin Rechtsanwalt und vertrete Frau M. Steiner. Ich ersuche um Übermittlung sämtlicher Kontoauszüge", "legal"),
        ("ich hab mir das knie kaputt gemacht, will gar nicht mehr zurück. wie kündige ich vorzeitig", "cancellation"),
        ("nein ich will nicht pausieren, ich will endgültig kündigen", "cancellation"),
        ("nao quero pausar. quero cancelar a assinatura de vez", "cancellation"),
        ("I don't like the services, please close my account", "cancellation"),
        ("we won't need this anymore, please cancel the plan from the next cycle", "cancellation"),
        ("kunden beschweren sich. bitte einen support-mitarbeiter", "explicit"),
        ("bot isn't helping. need a human please", "explicit"),
        ("hi, ich möchte heute von einer person zurückgerufen werden", "explicit"),
        ("can you hand a conversation over to a human?", "explicit"),
        ("our customers are angry, i need a human now", "explicit"),
        ("please file a fraud report", "fraud"),
        ("delete all my data under gdpr", "data_privacy"),
        ("mon mot de passe a été piraté", "account_security"),
        ("call me back please", "explicit"),
        ("une personne svp", "explicit"),
        ("kündigen Sie bitte alles, nicht nur das Sportpaket", "cancellation"),
        ("je veux parler à une vraie personne", "explicit"),
        ("stop the bot from replying and give me a human", "explicit"),
        ("our own customer sent us a GDPR deletion request and says their data still appears in your backups", "data_privacy"),
        ("ich bin auf der Kündigungsseite, bitte kündigen Sie meinen Vertrag zum Monatsende", "cancellation"),
        ("my lawyer says you owe me 500 for the broken order and wants the terms", "legal"),
        ("hemos recibido una demanda, nuestro abogado quiere hablar con vosotros", "legal"),
        ("unsubscribe me from everything and delete my account", "cancellation"),
        ("je veux me désabonner, sans attendre la fin du mois", "cancellation"),
        ("quiero borrar mi cuenta", "cancellation"),
        ("el cargo es una estafa, no es real", "fraud"),
        ("I got a chargeback from my bank for a payment I never made", "billing_dispute"),
        ("we need a DPA with custom terms for 500 seats, where do I send the redlines", "enterprise_contract"),
        ("um cliente nosso diz que vazaram os dados dele de vocês, LGPD", "data_privacy"),
        ("mon compte facebook a été piraté", "account_security"),
        ("on m'a piraté mon compte", "account_security"),
        ("my dad is having a stroke, what do I do", "sensitive"),
        ("our data was breached, customers' emails are on a forum", "account_security"),
        ("I wanted to pause but no, cancel my subscription", "cancellation"),
        ("I want to speak to an agent, my travel agent messed up", "explicit"),
        ("vamos a presentar una demanda", "legal"),
        # the deletion verbs widen only the "not cancelling" and mailing guards, not the partial-plan one
        ("I want to delete my account but keep my photos, can you send them?", "cancellation"),
        ("je veux supprimer mon compte mais garder mes factures", "cancellation"),
        ("my mum's funeral is tomorrow and you cut our power", "sensitive"),
        ("voy a poner una reclamacion en consumo contra vosotros", "legal"),
        ("he puesto una reclamación en la Agencia de Consumo, quiero mi dinero", "legal"),
        ("os voy a poner una denuncia por esto", "legal"),
        ("paguei no pix e ela me bloqueou, acho que era golpe", "fraud"),
        ("acho que caí num golpe, um cara se passando por vcs pegou meu código", "fraud"),
        ("me robaron la tarjeta y hay compras que no hice", "fraud"),
        ("someone stole my card and bought stuff", "fraud"),
        ("me robaron el bolso en Roma con la tarjeta", "fraud"),
        ("mon compte est compromis, quelqu'un a changé mon mot de passe", "account_security"),
        ("verbinden Sie mich bitte mit einem Mitarbeiter", "explicit"),
        ("kann ich mit einer mitarbeiterin sprechen", "explicit"),
        ("preciso falar com um funcionario de vcs", "explicit"),
        ("quiero una persona real, no un bot", "explicit"),
        ("je veux parler à une personne", "explicit"),
        ("ich will das ganze paket kündigen", "cancellation"),
        ("recebi um sms, cliquei no link e paguei 200 reais, isso é golpe?", "fraud"),
        ("someone scammed me through your site, is this a scam?", "fraud"),
        ("isso é golpe! quero meu dinheiro", "fraud"),
        ("someone in my family used my card without asking", "fraud"),
        ("me ligaram dizendo ser do banco e pediram meu código, eu passei. isso é golpe?", "fraud"),
        ("alguém usou meu cartão", "fraud"),
        ("ich kann mich nicht einloggen, wurde ich gehackt?", "account_security"),
        ("i think i have been hacked", "account_security"),
        ("my card payment was made twice by mistake", "billing_dispute"),
        ("ihr habt aus versehen doppelt abgebucht", "billing_dispute"),
        ("me cobraron dos veces por error", "billing_dispute"),
        ("das VPN geht nicht, bitte verbinden Sie mich mit einem Techniker", "explicit"),
        ("ich will mein Abo abmelden", "cancellation"),
    ],
)
def test_meant_keywords_still_fire(text: str, expected: str) -> None:
    assert hit(text) == expected


def test_a_guard_blanks_only_its_phrase() -> None:
    """A look-alike phrase in one sentence does not hide a real hit in another."""
    assert hit("our fraud team set up alerts. separately: someone used my card in Spain, I did not pay that") == "fraud"

"""Look-alike guards: phrases where a trigger's keyword is used in a routine sense, blanked before matching.

The rule lexicon matches keywords ("lawyer", "DSGVO", "scam", "kündigen", "a human") wherever they are;
these patterns recognise the contexts in which such a word says nothing about this customer needing a
human: the customer *is* a lawyer, configures a "lawyer" field or a bot's hand-over for *their* customers,
asks how to *prevent* fraud, cancels only part of a plan, was going to ask for a human but asks a question
instead. Like `lexicon.EXPLICIT_NEGATIVES` they are matched on normalised text and blanked out; a category
is searched again on the blanked text only after its own pattern hit, so the guards cost nothing on the
messages that hit no keyword. Each pattern names the look-alike it is for; the conversations that showed
them are in the written corpus (handoff/core/decide/data/corpus/written-*.jsonl).
"""
from __future__ import annotations

# filler words that are not the customer speaking of themself: "our customers (can) reach a human" is
# about third parties, "our customers are angry and I need a human" is not
_NOT_ME = (r"(?:(?!(?:i|me|my|we|us|yo|mi|je|moi|ich|mich|mir|wir|uns|eu|mim|nos|please|pls|bitte|por|favor|need|want|"
           r"brauche|brauchen|will|quiero|necesito|quero|preciso|veux|besoin|now|jetzt|sofort|ahora|agora|maintenant)\b)\w+ )")
_PEOPLE_WORD = (r"(?:human|humans|person|people|agent|agents|someone|somebody|rep|reps|humano|humana|persona|"
                r"pessoa|atendente|agente|humain|humaine|personne|conseiller|mensch|menschen|menschlichen|"
                r"mitarbeiter|mitarbeiterin|agenten|operator|operador|operateur)")
_HANDOVER = (r"(?:hand|hands|pass|passes|transfer|transfers|route|routes|forward|escalate|escalates|ubergeb\w*|ubergib\w*|"
             r"ubergibt|weiterleit\w*|leitet|paso|pasa|pasar|passo|passa|passar|transfiero|transfiere|transferir|transfere|"
             r"transfert|transferer|transmettre|transmet|bascule\w*|derive|derivar|encaminh\w*)")
_HUMAN_ADJ = r"(?: (?:humano|humana|humain|humaine|human|real|reel|de verdade|de verdad|echten?))?\b"
_THIRD_PARTIES = (r"(?:customers|clients|users|visitors|shoppers|buyers|kunden|kundschaft|clientes|usuarios|"
                  r"utilisateurs|visitantes|besucher|alunos|alumnos|students|patients|pacientes|patienten|tenants|residents|"
                  r"mieter|mieterinnen|bewohner|inquilinos|locataires|residentes|moradores|members|mitglieder|socios|adherents)")
_KEYWORD_MENTION = (r"(?:(?:the|with|containing|contain|like|such as|mentions?|includes?) words?|keywords?|palabras?|"
                    r"palavras?(?! passe)|mots? cles?|le mot|les mots|wort|worter|stichwort\w*|schlagwort\w*)")
_WHEN_CUSTOMER_SAYS = (r"\b(?:when|if|wenn|falls|cuando|si|quand|quando|whenever) (?:a |the |an |ein |eine |el |la |"
                       r"le |o |un |una |um |uma )?(?:customer|client|user|kunde|kundin|cliente|usuario|utilisateur|"
                       r"caller|visitor|anrufer) (?:\w+ )?(?:says|types|writes|mentions|asks for|uses|schreibt|sagt|"
                       r"tippt|erwahnt|escribe|dice|menciona|pide|ecrit|dit|mentionne|demande|escreve|diz|pede)\b"
                       r"(?: \w+){0,6}")

# Blanked before an explicit request for a human is looked for.
EXPLICIT_LOOKALIKES: list[str] = [
    # "pas besoin d'un humain, c'est réglé", "no need for a human", "no hace falta un agente"
    r"\b(?:no need (?:for|of) (?:a |an )?|(?:do not|dont|did not) need (?:a |an |to (?:talk|speak) (?:to|with) "
    r"(?:a |an )?)?|pas besoin (?:d un |d une |d |de |de parler a (?:un |une )?)|plus besoin (?:d un |d une |d )|"
    r"no hace falta (?:un |una |hablar con (?:un |una )?)?|nao precisa (?:de )?(?:um |uma )?|"
    r"nao preciso (?:de |falar com )?(?:um |uma )?)" + _PEOPLE_WORD + r"\b",
    # the customer was about to ask for a human but asks the bot instead: "before I ask for a human: ...",
    # "iba a pedir hablar con una persona pero pruebo contigo", "bevor ich einen menschen frage"
    r"\b(?:before i (?:ask|bother|call|get|go to|talk|speak)|i was (?:going|about) to ask|i was going to (?:call|talk|speak)|"
    r"bevor ich|ich wollte erst|antes de (?:hablar|pedir|llamar|chamar|falar|pedir)|iba a (?:pedir|hablar|llamar)|"
    r"ia (?:pedir|falar|chamar)|avant de (?:parler|demander|appeler|deranger)|j allais (?:demander|parler|appeler))"
    r" (?:\w+ ){0,4}?" + _PEOPLE_WORD + r"\w*\b",
    # an admin configuring how *their* customers reach a person: "how do my customers reach a human from
    # your widget", "como meus clientes falam com um atendente humano", "mes clients peuvent parler a un humain"
    r"\b(?:(?:my|our|their|mis|nuestros|nuestras|sus|meus|minhas|nossos|nossas|seus|mes|nos|leurs|meine|unsere|ihre) )?"
    + _THIRD_PARTIES + r" (?!(?:service|support|care|services)\b)" + _NOT_ME + r"{0,8}?" + _PEOPLE_WORD + _HUMAN_ADJ,
    r"\b(?:kundschaft|kunden) " + _NOT_ME + r"{0,6}?(?:zu|mit|an) (?:einem |einer |einen )?" + _PEOPLE_WORD + r"\b",
    # a bot's or inbox's hand-over being set up: "hand a chat over to a human agent in my inbox",
    # "wie übergeb ich einen chat an einen menschlichen agenten", "como paso un chat a un agente humano"
    r"\b(?:how (?:do|can|could|would|should) (?:i|we)|wie (?:kann |konnen )?(?:ich|wir|man)?|como(?: eu| se)?|comment(?: je| on)?)"
    r"(?: \w+){0,2}? " + _HANDOVER + r" (?:\w+ )?(?:a|un|um|uma|einen|eine) (?:chat|ticket|conversation|conversa|conversacion|"
    r"gesprach|anruf|call|llamada|ligacao|appel) (?:over )?(?:to|an|a|pra|para|al|au|zu) (?:a |an |un |um |uma |einen |einem |le |el |o )?"
    r"(?:\w+ )?" + _PEOPLE_WORD + r"\b",
    r"\b(?:bot|chatbot|widget|ivr|sprachmenu|phone system|telefonanlage) " + _NOT_ME + r"{0,4}?" + _HANDOVER + r" "
    + _NOT_ME + r"{0,3}?(?:an|to|a|pra|al|zu|para|au) (?:a |an |un |um |uma |einen |einem |einer )?(?:\w+ )?" + _PEOPLE_WORD + r"\w*\b",
    r"\bbutton (?:\w+ ){0,3}(?:talk|speak|chat|mit|hablar|falar|parler)\b(?: \w+){0,4}",
    # a setting named after the hand-over: "o que o toggle 'transferir para humano' faz no fluxo?"
    r"\b(?:toggle|option|setting|switch|flag|feature|opcao|botao|bouton|opcion|boton|schalter|einstellung|regla|regra|regle|rule) "
    r"(?:\w+ ){0,2}(?:transfer\w*|talk to|speak to|falar com|hablar con|parler a|pasar a|passar para|ubergabe an|an)"
    r"(?: (?:para|pra|to|al|au|zu|a))? (?:a |an |um |uma |un |une |einen )?" + _PEOPLE_WORD + r"\b",
    r"\b(?:boton|botao|bouton) (?:de |pour |pra |para )?(?:\w+ ){0,2}(?:hablar|falar|parler|talk|speak)\b(?: \w+){0,4}",
    _WHEN_CUSTOMER_SAYS,
    # a profession, not the service's staff: "mes contacts 'agents immobiliers'", "my travel agent booked this"
    r"\b(?:real estate|travel|insurance|estate|letting|shipping|customs|booking) agents?\b|\bagents? (?:immobiliers?|de voyages?|"
    r"d assurances?)\b|\bagentes? (?:inmobiliari[oa]s?|de viajes?|de seguros|imobiliari[oa]s?|de viagens?)\b",
    # a name, not a callback: "you can call me Bob", "just call me Des"
    r"\b(?:you can|u can|you may|just|pls|please just) call me\b(?! (?:back|now|asap|today|tomorrow|at|on|please|when|if|to|right))",
    # German HR and admin sentences about an employee, not a request to speak to one: "wie lege ich einen
    # neuen mitarbeiter an", "die sim von einem mitarbeiter", "den zugang einer mitarbeiterin"
    r"\b(?:von|fur|vom|zugang|account|konto|sim|daten|vertrag|abrechnung|kundigung|lohn\w*) (?:einem|einen|einer|eines|dem|den|der) "
    r"(?:neuen |ehemaligen |anderen |unserer |unseren )?(?:mitarbeiter\w*|agenten)\b"
    r"(?! (?:\w+ )?(?:zuruckgerufen|zuruckrufen|angerufen|anrufen|kontaktiert|beraten|geholfen|helfen|sprechen|reden|verbunden))",
    r"\b(?:lege|leg|anlegen|erstelle|erstellen|hinzufugen|einladen) (?:ich )?(?:einen|eine) (?:neuen |neue )?(?:mitarbeiter\w*|agenten)\b",
    r"\b(?:einen|eine) (?:neuen |neue )?(?:mitarbeiter\w*|agenten) (?:an|anlegen|hinzufugen|einladen|erstellen)\b",
    # "kann ich die app mit meiner garmin verbinden": connecting devices, not being put through
    r"\bmit (?:meiner|meinem|meinen|der|dem|den|einer|einem|unserer|unserem) (?:\w+ ){0,2}(?:verbinden|koppeln)\b",
    # a network connection: "seit dem neuen VPN-Client kann ich mich im Homeoffice zwar verbinden, aber ...", unless a
    # person is named ("verbinden Sie mich mit einem Mitarbeiter")
    r"^(?=.*\b(?:vpn|wlan|wifi|netzwerk|internet|server|bluetooth|router|homeoffice|verbindung|datenbank|drucker|remote)\b)"
    r"(?!.*\b(?:mitarbeiter\w*|mensch|menschen|person|jemand\w*|kollegen|berater\w*|support\w*|agent\w*|techniker\w*)\b)"
    r".*?\bverbinden\b",
    # a field or role called "contact person" / "agent"
    r"\b(?:contact person|persona de contacto|pessoa de contato|pessoa de contacto|personne de contact|ansprechpartner)\b"
    r"(?= (?:field|campo|champ|feld|column|property|a las|to|in|en|em|dans|im)\b)",
    r"\b(?:field|campo|champ|feld|column|property) (?:\w+ ){0,2}(?:contact person|persona de contacto|pessoa de contato|personne de contact|ansprechpartner)\b",
    r"\b(?:rol|role|papel|perfil|rolle) (?:de |d |of |des )?(?:agente|agent|atendente|agenten)\b",
    # the bot's or phone system's behaviour being configured: "stop the bot replying on weekends",
    # "how do we route calls to an operator after hours"
    r"\bstop the bot (?:from )?(?:replying|answering|responding|sending|posting)\b",
    r"\b(?:route|routes|routing|forward|forwarding|send|sending) (?:\w+ )?(?:calls|chats|tickets|anrufe|llamadas|ligacoes|appels) "
    r"(?:\w+ ){0,2}(?:to|an|a|pra|para|au|zu) (?:an? |the |einen |un |um )?(?:\w+ )?" + _PEOPLE_WORD + r"\b",
    # the customer's own boss or team: "je dois en parler à mon responsable", "preciso falar com meu gerente"
    r"\b(?:mon|ma|mes|mi|mis|meu|minha|meus|meinem|meiner|meine|meinen) (?:responsable|chef|cheffe|patron|patronne|jefe|jefa|"
    r"gerente|gestor|gestora|superieur|superieure|vorgesetzten|vorgesetzte|chefin|socio|socia|associe|associee|equipe|equipo|"
    r"time|team|marido|mujer|esposa|esposo|mari|femme|mann|frau)\b",
    # a person added to, removed from or given something in the customer's own records or booking, not asked for:
    # "preciso cadastrar um novo funcionário", "quiero quitar a una persona del tour", "puedo prestarlo a otra persona",
    # "wie gebe ich einer neuen Mitarbeiterin Zugriff", "je veux ajouter une personne à la réservation"
    r"\b(?:cadastrar|adicionar|incluir|excluir|remover|tirar|demitir|contratar|registrar|desligar|admitir|convidar|"
    r"bloquear|quitar|anadir|agregar|eliminar|borrar|dar de alta|dar de baja|invitar|sumar|apuntar|ajouter|supprimer|"
    r"retirer|inscrire|inviter|enlever|embaucher|licencier) (?:a |de |d )?(?:um |uma |o |a |esse |essa |outro |outra |"
    r"un |una |otra |otro |el |la |esa |ese |une |le |l )?(?:novo |nova |nuevo |nueva |nouvel |nouvelle |autre |mais |mas |plus )?"
    r"(?:funcionari[oa]s?|colaborador\w*|usuari[oa]s?|pessoas?|personas?|personnes?|empleado\w*|trabajador\w*|salarie\w*|"
    r"utilisateur\w*)\b",
    r"\b(?:prestar\w*|emprestar\w*|regalar\w*|dar\w*|ceder\w*|transferir\w*|pasar\w*|passar\w*|preter|donner|offrir) "
    r"(?:\w+ )?(?:a|para|pra|al|a l) (?:otra|outra|una|uma|autre|une) personn?as?e?\b",
    r"\b(?:gebe|geben|gib|erteile|erteilen|freischalten|zuweisen|einrichten|einladen|hinzufugen|entfernen|loschen|sperren) "
    r"(?:ich |wir |man )?(?:\w+ ){0,2}(?:einem|einer|einen|eine) (?:neuen |neue |anderen |andere |weiteren |weitere )?"
    r"(?:mitarbeiter\w*|person|kolleg\w*)\b",
    r"\b(?:einem|einer) (?:neuen |anderen |weiteren )?(?:mitarbeiter\w*|kolleg\w*|person) (?:\w+ ){0,3}(?:zugriff|zugang|"
    r"rechte|berechtigung\w*|lesezugriff|schreibrechte|adminrechte|freigeben|geben)\b",
    # a past contact with staff, told as background: "ich hab vorhin schon mit eurem mitarbeiter telefoniert"
    r"\b(?:schon|bereits|vorhin|gestern|already|earlier|ya|deja|ja|hier|ayer|ontem) (?:\w+ ){0,2}(?:mit|with|con|avec|com) "
    r"(?:eurem|einem|ihrem|eurer|einer|your|a|an|un|una|um|uma|vuestro|votre|seu|sua) (?:\w+ )?" + _PEOPLE_WORD +
    r"\b (?:\w+ )?(?:telefoniert|gesprochen|geschrieben|spoke|talked|chatted|hable|hablado|parle|falei|conversei)\b",
]

# Per always-human category: blanked before the category is searched again after a hit.
_PROFESSIONS_LEGAL = (r"(?:lawyer|lawyers|attorney|attorneys|solicitor|solicitors|abogado|abogada|abogados|advogado|advogada|"
                      r"advogados|avocat|avocate|avocats|anwalt|anwaltin|anwalte|rechtsanwalt|rechtsanwaltin)")
_FRAUD_WORDS = r"(?:fraud|fraude|fraudes|betrug|betrugs|scam|scams|estafa|estafas|golpe|golpes|arnaque|arnaques|phishing)"
_PRIVACY_WORDS = r"(?:gdpr|rgpd|lgpd|dsgvo|ccpa|datenschutz\w*|privacy|privacidad|privacidade|confidentialite)"
_RECORDS_OF_OTHERS = (r"(?:our|my|nuestros|nuestras|mis|meus|minhas|nossos|nossas|mes|nos|unsere|unserer|unseren|meine|meiner|"
                      r"meinen) (?:\w+ )?(?:customers|users|clients|candidates|leads|alumnos|students|bewerber\w*|kandidat\w*|"
                      r"kunden|clientes|usuarios|alunos|utilisateurs|employees|mitarbeiter\w*|empleados|funcionarios|salaries|"
                      r"contacts|contactos|contatos|kontakte|subscribers|suscriptores|assinantes|abonnes|abonnenten|patients|"
                      r"pacientes|patienten|members|miembros|membros|membres|mitglieder)")
_BREACH = (r"(?:breach|leak|leaked|hacked|stolen|exposed|fuga|filtracion|filtraron|vazamento|vazaram|fuite|datenleck|"
           r"datenpanne|gestohlen|robados|roubados|voles|piratage|hackeado|gehackt)")
# the provider itself being asked what it does with the data: then it is a request to the provider
_PROVIDER = (r"(?:your|yours|you|ihr|euch|eure|euren|eurer|ihre systeme|vous|vos|votre|vosotros|vuestro|vuestros|vuestra|"
             r"voces|vcs|seus servidores|your company|su empresa|sua empresa|backups?|sub ?processors?|subprocessor\w*)")
_CANCEL_WORDS = r"(?:cancel\w*|kundig\w*|resili\w*|cancelar|cancelo|rescindir|dar de baja|encerrar|terminate|close)"
# ... and the verbs of deleting and unsubscribing, for the guards that say it is *not* happening or is about a
# mailing or someone else's seat (not for "delete my account but keep my photos", which is a deletion)
_END_WORDS = (r"(?:cancel\w*|kundig\w*|resili\w*|cancelar|cancelo|rescindir|dar de baja|encerrar|terminate|close|"
              r"desabonn\w*|desinscri\w*|unsubscrib\w*|supprimer|borrar|eliminar|excluir|loschen|delete)")
_MAILINGS = (r"(?:newsletters?|podcasts?|mailing\w*|e ?mails?|mails?|correos?|notifications?|notificaciones|notificacoes|"
             r"benachrichtigung\w*|alerts?|alertes?|alertas?|sms|marketing|werbung|publicidad|publicite|promo\w*|infolettre|"
             r"liste de diffusion|lista de correo)")
_OTHERS_IN_RECORDS = (r"(?:employees?|staff member|freelancers?|contractors?|mitarbeiter\w*|angestellt\w*|trabajador\w*|"
                      r"empleado\w*|funcionari\w*|colaborador\w*|salarie\w*|employe\w*|kunden|kundin|tenant|tenants|mieter\w*|"
                      r"inquilin\w*|locataire\w*)")
_CHARGEBACK = r"(?:chargebacks?|contracargos?|retrofacturations?|ruckbuchung\w*|estornos? de cartao)"
_DEATH = r"(?:died|passed away|deceased|verstorben|gestorben|decede|decedee|fallecio|fallecido|fallecida|faleceu|morreu|falecido|falecida)"

CATEGORY_LOOKALIKES: dict[str, list[str]] = {
    "enterprise_contract": [
        # the standard DPA fetched, not a contract negotiated: "wo finde ich euren AVV zum Download"
        r"\b(?:avv|dpa|auftragsverarbeitungsvertrag)\b(?= (?:\w+ ){0,3}(?:download\w*|herunterladen|runterladen|pdf|link)\b)",
        r"\b(?:wo finde ich|where (?:can i|do i) (?:find|get|download)) (?:\w+ )?(?:avv|dpa|auftragsverarbeitungsvertrag)\b",
        # a broker's buy order, not a procurement one: "como cancelo uma ordem de compra que ainda não executou"
        r"\bordem de compra\b(?= (?:\w+ ){0,4}(?:execut\w*|acoes|acao|limite|a mercado|bolsa|stop)\b)",
    ],
    "legal": [
        # the customer is a lawyer: "i am a lawyer with a 3-person practice", "soy abogada", "ich bin anwältin"
        r"\b(?:i am|im|as a|as an|soy|como|sou|je suis|ich bin|bin|en tant qu|als) (?:a |an |un |una |um |uma |une |eine? )?"
        + _PROFESSIONS_LEGAL + r"\b(?!.*\b(?:vertrete|vertreten|represent\w*|on behalf|im auftrag|en nombre|represento|au nom|"
        r"mandant\w*|my client|mi cliente|meu cliente|ma cliente|mon client|sue|suing|klage|demanda|processo|poursuite)\b)",
        # a form field or user role named after the profession: "add a lawyer field to our template"
        r"\b" + _PROFESSIONS_LEGAL + r"(?: \w+)? (?:field|fields|role|column|campo|rol|papel|champ|feld|rolle|responsavel)\b",
        r"\b(?:field|fields|role|column|campo|champ|feld|rolle) (?:\w+ ){0,4}" + _PROFESSIONS_LEGAL + r"\b",
        # the business's own lawyer wanting routine site text: "our lawyer wants the returns policy linked in the footer"
        r"\b(?:our|my|the|notre|mon|ma|nuestro|nuestra|mi|unser|unsere|unserer|mein|meine|nosso|nossa|meu|minha) "
        + _PROFESSIONS_LEGAL + r" (?:\w+ )?(?:wants|want|asked|asks|sent|says|said|needs|veut|a demande|nous a envoye|m a envoye|"
        r"quiere|pidio|envio|dice|will|mochte|hat|sagt|schickt|quer|pediu|mandou|enviou|disse)\b"
        r"(?=.{0,120}\b(?:footer|policy|terms|text|wording|impressum|widerrufsbelehrung|agb|cgv|cgu|mentions legales|"
        r"politica|pie de pagina|rodape|termos|banner|verlink\w*|linked|pied de page)\b)"
        r"(?!.*\b(?:sue|suing|klage|klagen|demanda|processo|poursuite|owe|schulden|deben|devem|doivent)\b)",
        r"\b" + _PROFESSIONS_LEGAL + r" sent (?:me|us) (?:the )?(?:text|wording|draft|template)\b",
        r"\b(?:taxa|tasa|taux|rate) de (?:denuncia|denuncias|reclamacao|plainte)s?\b",
        r"\b(?:sin|sem|sans|ohne|without) (?:denunciar|signaler|reporting|melden|zu melden)\b",
        r"\b(?:la |alta |mucha |poca |baja )demanda (?:de|del) (?:\w+ ){0,3}(?:se disparo|subio|sube|aumento|crece|baja|bajo)\b",
        # on demand: "bajo demanda este mes", "sob demanda"
        r"\b(?:bajo|sob|por) demanda\b",
        # consumption, not the consumer-affairs office ("voy a poner una reclamación en consumo"): "o app mostra consumo
        # de madrugada alto", "e o consumo médio", "recuperação de consumo", "aviso de consumo"
        r"\b(?:o|el|mi|meu|minha|seu|su|tu|teu|nosso|nuestro|do|del|alto|elevado|medio|bajo|baixo|mucho|muito|mas|mais|menos|"
        r"historico|historial|aviso|avisos|recuperacao|lectura|leitura|pico|grafico|limite|control|controle) consumo\b",
        r"\bconsumo (?:de (?:madrugada|energia|energia electrica|luz|agua|gas|datos|dados|combustible|combustivel)|medio|mensal|"
        r"mensual|diario|alto|elevado|anormal|por hora|de los ultimos|dos ultimos)\b",
        # a police report asked for by an insurer or for a theft: "para el parte del robo me pedís la denuncia"
        r"\b(?:la|una|copia de la|numero de la|el numero de) denuncia (?:\w+ ){0,3}(?:policia|policial|comisaria|guardia civil|"
        r"mossos|robo|hurto|perdida|extravio|seguro)\b",
        r"\b(?:robo|hurto|perdida|extravio|parte|siniestro|policia|comisaria)\b(?: \w+){0,6} (?:la |una |copia de la )?denuncia\b"
        r"(?! (?:contra|a) (?:vosotros|ustedes|la empresa|vuestra))",
    ],
    "fraud": [
        # a business's fraud tooling or prevention: "our fraud team wants a dashboard", "block cards to reduce fraud"
        r"\b(?:fraud|fraude|betrugs?|anti ?fraud|antifraude|anti fraude) (?:team|teams|equipe|rules?|regeln|regel|alerts?|"
        r"prevention|protection|detection|dashboard|score|filters?|settings|checks?|tools?)\b",
        r"\b(?:equipo|equipe|team|reglas|regras|regles|alertas?|alertes?|protecao|proteccion|"
        r"protection|prevencion|prevencao|prevention|filtro|filtre|detection|deteccion|deteccao|seuil|umbral|limite|score|"
        r"scoring|puntuacion|pontuacao) (?:de |d |anti |contra |contre )?(?:anti )?(?:fraude|fraud)s?\b",
        r"\b(?:prevent|preventing|avoid|reduce|reducing|block|detect|fight|vorbeugen|verhindern|reduzieren|vermeiden|"
        r"erkennen|evitar|reducir|prevenir|detectar|eviter|reduire|detecter|reduzir|combater|combatir|lutter contre) "
        r"(?:\w+ ){0,2}" + _FRAUD_WORDS + r"\b",
        r"\b" + _FRAUD_WORDS + r" (?:\w+ )?(?:vorbeugen|verhindern|reduzieren|vermeiden|zu reduzieren|zu vermeiden)\b",
        r"\b(?:nicht|not|no|nao|pas) (?:\w+ ){0,2}(?:auf|for|fall for|cair em|caer en|tomber dans) (?:einen |a |an |um |un |une )?"
        + _FRAUD_WORDS + r"\b",
        # "is this 50% off email a scam or real?"
        r"\b(?:a |an |una |um |une |ein )?" + _FRAUD_WORDS + r" (?:or|o|ou|oder) (?:c est |es |e |ist (?:es |das )?|is it |"
        r"it is |its )?(?:real|legit|legitimate|echt|vrai|verdad|"
        r"de verdad|verdadeiro|not|nicht|no|nao|pas)\b",
        # a scam message already ignored: "got a scam sms pretending to be you, i ignored it"
        r"\b" + _FRAUD_WORDS + r" ?(?:sms|text|texts|email|emails|mail|mails|correo|message|nachricht|mensagem)\b"
        r"(?=.{0,90}\b(?:ignored|ignore|ignorei|ignoriert|ignore|not click\w*|nicht geklickt|no (?:he )?clic\w*|"
        r"nao cliquei|pas clique|deleted it|geloscht|borre|apaguei|supprime)\b)",
        # asking whether a message, a site or a call is a scam, with nothing lost yet: "o site pediu pra eu confirmar minha
        # identidade com foto, isso é golpe?", "recibí un sms de vosotros, ¿es una estafa?"
        r"^(?=.*\b(?:sms|email|e mail|mail|mensagem|mensaje|message|nachricht|link|enlace|lien|site|sitio|website|seite|"
        r"ligacao|llamada|appel|anruf|call|pedido|pediu|pide|pidio|asks|asked|demande)\b)"
        r"(?!.*\b(?:paguei|pague|transferi|perdi|roubaram|cliquei|paid|sent|lost|clicked|gave|bezahlt|uberwiesen|geklickt|"
        r"verloren|paye|vire|perdu|clique|donne|pagado|transferido|perdido|di mis|dei meus|dei minha|enviei|envie|mande|mandei|"
        r"scammed|betrogen|estafaron|enganaram|cai|victim|vitima|victima|opfer|passei|informei|forneci|compartilhei|digitei|"
        r"shared|entered|typed|eingegeben|weitergegeben|introduje|facilite|saisi|communique)\b)"
        r".*?\b(?:isso e|isto e|e|sera que e|esto es|eso es|es|is this|is it|is that|ist das|c est|est ce)"
        r" (?:um |uma |una |un |a |an |une |ein )?" + _FRAUD_WORDS + r"$",
        # someone in the customer's own party, or anyone allowed to: "someone in my group uses a wheelchair", "is there a
        # kitchen someone can use?"
        r"\b(?:someone|somebody|alguien|alguem) (?:in (?:my|our|the) (?:group|party|family|team|household|class)|"
        r"(?:en|de) (?:mi|nuestro|el) (?:grupo|familia|equipo)|(?:do|da|no|na) (?:meu|minha|nosso|nossa) (?:grupo|familia|equipe)|"
        r"(?:can|could|may|might|would|puede|podria|pode|poderia) (?:use|usar))\b"
        # ... unless they took the money or the account: "someone in my family used my card without asking"
        r"(?! (?:\w+ )?(?:used|usou|uso|took|stole|accessed|logged|bought|spent|withdrew|charged|ordered|made|paid|robo|roubou|"
        r"pego|pegou|gasto|gastou|compro|comprou|entro|entrou|tomo)\b)",
        # all at once, in Spanish: "no lo puedo pagar de golpe"
        r"\b(?:pagar|pagarlo|pagarla|pago|todo|todos|toda|todas) de golpe\b",
        # a knock in Spanish (a scam only in Portuguese: "caí num golpe", "é golpe"): "me he encontrado el coche con un
        # golpe en la puerta", "y si me dan un golpe yo?"; Spanish articles, which Portuguese spells um / o / do / ao
        r"\b(?:un|el|del|al|algun|ningun|otro|ese|los|unos) (?:pequeno |pequenito |buen |fuerte )?golpe(?:s|cito|citos)?\b",
        # a thing stolen, for the insurer or in passing, not money or an account: "me robaron la bici ayer, qué hago para
        # el seguro", "someone stole my parking spot lol"
        r"\b(?:me robaron|me han robado|nos robaron|roubaram|me roubaram|someone stole|somebody stole|stole|got stolen|"
        r"wurde (?:mir )?gestohlen|hat (?:mir )?\w+ gestohlen) (?:(?:la|el|mi|mis|a|o|minha|meu|my|our|mein|meine|meinen|das|den|die) )?"
        r"(?:\w+ )?(?:bici|bicicleta|mochila|maleta|equipaje|bolso|gafas|paraguas|bike|bicycle|backpack|luggage|suitcase|umbrella|"
        r"parking spot|parking space|seat|lunch|vaga|bolsa|mala|oculos|fahrrad|koffer|rucksack|parkplatz)\b"
        # ... unless a card, a phone or papers went with it ("me robaron el bolso en Roma con la tarjeta")
        r"(?!.*\b(?:tarjetas?|cartao|cartoes|cards?|karten?|movil|telefono|celular|handy|phone|cartera|billetera|carteira|"
        r"wallet|geldborse|portemonnaie|passaporte|pasaporte|passport|reisepass|documentos|papers|dni|ausweis)\b)",
    ],
    "data_privacy": [
        # a business configuring compliance for the people in its records ("export the data of my
        # students for the rgpd", "DSGVO consent texts for applicants"), unless something leaked
        r"^(?!.*\b(?:" + _BREACH + r"|" + _PROVIDER + r")\b)(?=.*\b" + _RECORDS_OF_OTHERS + r"\b).*?\b" + _PRIVACY_WORDS + r"\b",
        r"^(?!.*\b(?:" + _BREACH + r"|" + _PROVIDER + r")\b)(?=.*\b(?:cliente|kunde|kundin|client|customer|user|usuario|"
        r"utilisateur|candidat\w*|bewerber\w*)e? (?:nuestro|nuestra|von uns|of ours|nosso|nossa|a nous|de chez nous)\b).*?\b"
        + _PRIVACY_WORDS + r"\b",
        r"\b" + _PRIVACY_WORDS + r"(?: \w+)? (?:compliant|compliance|konform\w*|einwilligung\w*|consent|consentimiento|"
        r"consentement|consentimento|texts?|textos?|textes?|template|vorlage|plantilla|modelo|banner|cookie\w*|"
        r"schulung|training|policy page|beauftragte\w*|officer)\b",
        r"\b(?:datenschutzerklarung|datenschutzhinweis\w*|privacy (?:policy|notice|page)|politica de privacidad|"
        r"politica de privacidade|politique de confidentialite|aviso de privacidad|aviso de cookies)\b",
        r"\b(?:our|my|notre|nuestro|nuestra|nosso|nossa|unser|unsere|unserem) (?:dpo|datenschutzbeauftragte\w*|"
        r"delegue a la protection des donnees|delegado de proteccion de datos|encarregado de dados|encarregado)\b",
        r"\b(?:schulung|pflichtschulung|training|formacion|formation|treinamento|curso|course|kurs) (?:\w+ )?" + _PRIVACY_WORDS + r"\b",
        r"\b(?:gdpr|rgpd|lgpd|dsgvo|ccpa|data deletion|deletion|loschung|supresion|exclusao|suppression) (?:request|requests|"
        r"anfrage|anfragen|solicitud|solicitudes|pedido|pedidos|demande|demandes) (?:from|of|von|de|d) (?:one of )?"
        r"(?:our |my |a |an |un |una |um |uma |einem |einer |unseren |nuestros |meus |nos )?(?:\w+ )?(?:customers?|users?|"
        r"clients?|kunden|kundin|clientes?|usuarios?|utilisateurs?|candidates?|leads?)\b",
    ],
    "cancellation": [
        # a page named in passing: "je suis sur la page résiliation mais ...", "to na tela de cancelamento só pra ver"
        r"\b(?:on the|auf der|sur la|na|en la|in der|at the) (?:\w+ )?(?:cancel\w*|kundig\w*|resiliation|cancelamento|baja|"
        r"konto schliessen|close account|schliessen) (?:\w+ )?(?:page|seite|tela|pagina|screen|ecran)\b",
        r"\b(?:page|seite|tela|pagina|screen|ecran) (?:de |da |do |of |d |zum |zur )?(?:\w+ )?(?:cancel\w*|kundig\w*|resiliation|"
        r"cancelamento|baja|close account)\b(?= (?:\w+ ){0,3}(?:mais|but|aber|pero|mas|just|juste|nur|solo|so|only|pour|pra|para))",
        # only part of the plan: "wie kündige ich nur das sportpaket, nicht das ganze abo", "cancel one server, keep the rest"
        r"\b" + _CANCEL_WORDS + r" (?:\w+ ){0,6}?(?:aber nicht|but not|but keep|pero no|pero mantener|pero sin|mais pas|mais garder|"
        r"mas nao|mas manter|den rest behalten|rest behalten|keep the rest|nicht das ganze|nicht den ganzen|nicht mein|"
        r"not the whole|not my|no la cuenta|no mi cuenta|pas mon compte|pas tout|nao a conta|nao minha conta)\b",
        r"\b" + _CANCEL_WORDS + r" (?:ich |i |je |eu |yo )?(?:nur|only|just|solo|solamente|seulement|juste|apenas)\b",
        # one part named: "den TV-Teil will ich kündigen, Internet behalten", "den Glasbruch-Baustein rausnehmen, nicht die
        # ganze Versicherung kündigen"
        r"\b(?:den|das|die|der) (?!(?:ganz|komplett|gesamt)\w*\b)\w+ (?:teil|paket|option|baustein|modul|zusatzpaket|zusatzoption|add on|addon|tarifoption) "
        r"(?:\w+ ){0,3}kundig\w*\b",
        r"\bnicht (?:die|den|das) (?:ganze|ganzen|komplette|kompletten|gesamte|gesamten) (?:\w+ )?kundig\w*\b",
        # not decided, asking first: "no sé si cancelar la suscripción o no", "não sei se cancelo ou mantenho"
        r"\b(?:no se si|nao sei se|je ne sais pas si|je sais pas si|i don t know if|i dont know if|i m not sure if|im not sure if|"
        r"not sure whether|ich weiss nicht ob|ich weiss nicht so recht ob|ich bin unsicher ob) (?:\w+ ){0,2}" + _CANCEL_WORDS + r"\b"
        r"(?=.*\b(?:o no|ou nao|ou pas|or not|oder nicht|oder (?:nicht|doch|lieber|behalten)|o (?:mejor|sigo|seguir|mantener|mantengo)|"
        r"ou (?:mant\w+|continu\w+|fic\w+|garde\w*)|or (?:keep|stay|wait))\b)",
        # "if I cancel, do I keep ...": what would happen, asked before deciding
        r"\b(?:wenn|falls|if|si|se) (?:ich |i |je |eu |yo )?(?:jetzt |now |ahora |agora |maintenant |eines tages |one day |someday |"
        r"algum dia |un jour |algun dia )?" + _CANCEL_WORDS + r"(?: \w+){0,2}? (?:will|would|do|does|can|kann|lauft|bleib\w*|"
        r"verlier\w*|perd\w*|pierdo|perco|sind|ist|are|is|est|sont|bekomm\w*|get|gets|vou|voy|vais|what|was|que|quoi|o que)\b",
        # someone else's cancellation handled by the business: "a macro for customers who want to cancel",
        # "un cliente mío quiere cancelar su suscripción a mis servicios"
        r"\b" + _THIRD_PARTIES + r" (?:who |that |die |que |qui |wenn |when )?" + _NOT_ME + r"{0,4}?" + _CANCEL_WORDS + r"\b",
        r"\b(?:un|una|ein|eine|a|an|um|uma|one of my|one of our|un de mes|un de nos|uno de mis|um dos meus) (?:cliente|kunde|"
        r"client|customer|usuario|user|abonnent|subscriber)s? (?:\w+ ){0,3}?(?:quiere|will|wants?|veut|quer|pidio|asked|hat|"
        r"wollte|voulait|queria) (?:\w+ ){0,2}" + _CANCEL_WORDS + r" (?:su|sein|seine|seinen|ihr|ihre|ihren|his|her|their|son|sa|ses|seu|sua)\b",
        # not cancelling, or only part of the plan: "ich will nicht kündigen aber ...", "statt kündigen"
        r"\b(?:nicht|statt|anstatt|ohne|instead of|rather than|without|not|no quiero|en lugar de|en vez de|sin|sans|"
        r"au lieu de|ne veux pas|veux pas|em vez de|ao inves de|sem|nao quero|dont want to|do not want to) (?:(?:die|den|das|der|the|my|mi|mon|ma|meu|minha|a|o|la|le|"
        r"el|ganze|ganzen|whole|entire|gleich|sofort|komplett|mein|meinen|meine|it|todo|tout|to|zu|de|d|me|mich|se|te) ){0,3}" + _END_WORDS + r"\b",
        # a cancellation thought of and given up: "ich wollte erst kündigen, aber dann gibt es einen Seniorentarif"
        r"\b(?:i was going to|i wanted to|i was about to|ich wollte erst|ich wollte eigentlich|ich wollte schon|queria|je voulais|"
        r"j allais|iba a|ia) (?:\w+ ){0,2}" + _END_WORDS + r"\b(?= (?:\w+ ){0,4}(?:aber|but|pero|mais|mas|doch)\b)",
        # an HR record: "wie lege ich für einen Mitarbeiter eine Kündigung zum 31.12. an"
        r"\b(?:fur|for|para|pour) (?:einen |eine |einem |einer |den |die |der |an |a |un |una |um |uma |une )?(?:\w+ )?"
        + _OTHERS_IN_RECORDS + r"\b(?: \w+){0,3} " + _END_WORDS + r"\b",
        # the customer's employee, tenant or customer, not the customer's own account
        r"\b" + _CANCEL_WORDS + r" (?:\w+ ){0,5}?(?:for|of|von|fur|eines|einer|des|para|de|pour|d|do|da) (?:a |an |one of our |"
        r"einen |einem |einer |eine |un |una |um |uma |une |nuestro |mi |meu |mon |unseren? |our |my )?(?:\w+ )?"
        + _OTHERS_IN_RECORDS + r"\b",
        # a mailing, not a contract: "comment me désabonner de la newsletter", "unsubscribe from your podcast emails"
        r"\b" + _END_WORDS + r" (?:\w+ ){0,3}?" + _MAILINGS + r"\b",
        r"\b" + _MAILINGS + r" (?:\w+ ){0,2}?(?:abbestellen|abmelden|" + _END_WORDS[3:-1] + r")\b",
        # deregistering a thing with an authority, not ending the contract: "muss ich den hund abmelden wenn er gestorben
        # ist", "das auto abmelden", "den wohnsitz abmelden"
        r"\b(?:den|das|die|meinen|mein|meine|unseren|unser|unsere|ihren|ihr) (?:\w+ )?(?:hund|hunde|katze|auto|fahrzeug|wagen|kfz|"
        r"wohnsitz|gewerbe|kind|kinder|zweitwohnsitz|anhanger|motorrad|boot) (?:\w+ ){0,3}abmelden\b",
        # a departed colleague's seat handed over first: "un employé est parti, je veux transférer ses fichiers
        # avant de supprimer le compte"
        r"\b" + _OTHERS_IN_RECORDS + r" (?:\w+ ){0,2}(?:left|has left|quit|est parti|est partie|a quitte|se fue|se ha ido|"
        r"ha dejado|ist ausgeschieden|ausgeschieden|hat gekundigt|saiu|foi embora|deixou)\b.*",
    ],
    "sensitive": [
        # minor, not a minor: "un accident de stationnement mineur", "un bug mineur"
        r"\b(?:accident|probleme|souci|defaut|bug|incident|changement|detail|dommage|degat|choc|retard|ajustement|rayure|"
        r"erreur|modification|mise a jour|correction)s? (?:\w+ ){0,2}mineure?s?\b",
        # a florist's order: "can you deliver funeral flowers to a church on Friday"
        r"\bfuneral (?:flowers|wreaths?|arrangements?|bouquets?|sprays?|tributes?)\b",
        # a device that "died", not a person: "se me murió el móvil", "my phone died"
        r"\b(?:phone|battery|laptop|computer|pc|tablet|screen|charger|movil|bateria|handy|akku|celular|telephone|"
        r"batterie|ordenador|portatil|telefono|computador|notebook)(?: \w+)? (?:died|dead|murio|morreu|est mort|tot)\b",
        r"\b(?:se me |se le |me |se )?murio (?:el|la|mi|o|a) (?:\w+ )?(?:movil|celular|telefono|bateria|portatil|ordenador|"
        r"laptop|cargador|pantalla|coche|auto|carro|wifi|internet)\b",
        r"\b(?:passed|handed|gave) (?:me )?(?:the|her|his) (?:phone|mobile|tablet|laptop)\b",
        # sickness mentioned in passing: "i'm sick today so keep it short", sick-leave and health-insurance terms
        r"\b(?:i am |im )?(?:ill|sick|unwell) (?:today |at the moment |right now |rn )?(?:so |and )?(?:keep it|be) (?:short|brief|quick)\b",
        r"\b(?:assurance|caisse|arret|conge) maladie\b",
        r"\b(?:baja|licencia|permiso|ausencia|incapacidad) (?:medica |laboral )?(?:por )?enfermedad(?: comun)?\b",
        r"\b(?:afastad[oa]|licenca|atestado|auxilio|afastamento) (?:\w+ )?(?:por )?doenca\b",
        r"\bkrankheit (?:der|des) (?:band|kunstler\w*|sanger\w*|veranstalter\w*|schauspieler\w*|redner\w*)\b",
        r"\b(?:furto|roubo|robo|hurto|vol) (?:sem|sin|sans) (?:violencia|violence)\b",
        r"\b(?:am|an|im|dem|das|zum|vom|el|del|au|le|o|no|the|at|payment|card|pos|karten|kassen) terminal\b"
        r"(?! (?:krank\w*|ill|illness|cancer|krebs|enferm\w*|diagnos\w*|stage))",
        # a death in the business's records: "ein kunde ist verstorben, wie buche ich ...", "austritt wegen
        # todesfall eines mitarbeiters"
        r"\b(?:ein|eine|un|une|a|an|el|la|o|uma|um|mon|mein|meine|my|our|unser|unsere|nuestro|notre|nosso) (?:\w+ )?"
        r"(?:kunde|kundin|mitarbeiter\w*|customer|client|cliente|employee|salarie\w*|comptable|buchhalter\w*|accountant|"
        r"tenant|mieter\w*|patient\w*|member|mitglied|empleado\w*|funcionari\w*) (?:\w+ ){0,2}" + _DEATH + r"\b",
        r"\b(?:todesfall|tod|fallecimiento|falecimento|deces|death) (?:eines|einer|des|de|do|da|d un|d une|of an?|of the) "
        r"(?:\w+ )?(?:mitarbeiter\w*|kunden|kundin|empleado\w*|funcionari\w*|salarie\w*|employee|customer|client\w*|tenant|mieter\w*)\b",
    ],
    "account_security": [
        # the French sales agreement or a compromise, not a compromised account: "le compromis est lundi",
        # "la signature du compromis", "trouver un compromis"
        r"\b(?:le|un|du|au|ce|notre|mon|votre|leur|son|signature du|signer le|signe le) compromis(?: de vente)?\b",
        # a helpdesk's service levels, not a break-in: "will breached tickets be highlighted?", "SLA breaches"
        r"\b(?:sla|slas|service level\w*)\b.{0,40}\bbreach\w*|\bbreach\w* (?:tickets?|slas?|deadlines?|targets?|timers?)\b",
        # a past or imagined hack: "i got hacked last year on another service, so how do i turn on 2fa",
        # "pensaba que me habían hackeado pero es festivo", "protect my account from getting hacked"
        r"\b(?:thought|geglaubt|dachte|pensaba|pensei|achei|croyais|cru|crei) (?:\w+ ){0,3}(?:hacked|gehackt|hackeado|hackeada|pirate)\b",
        r"\b(?:protect|secure|prevent|avoid|schutzen|vermeiden|evitar|proteger|eviter|not) (?:\w+ ){0,3}(?:from |vor |de |contra |against )?"
        r"(?:getting |being |ser |etre )?(?:hacked|gehackt|hackeado|hackeada|hackers?|pirate)\b",
        # said not to have happened: "it's not that i've been hacked, i just can't remember it"
        r"\b(?:not that|i don t think|i dont think|i wasn t|i was not|i haven t been|i have not been|not been|nicht|no me han|"
        r"nao fui|nao me|pas ete) (?:i ve |i have |i |been |got )?(?:been )?(?:hacked|gehackt|hackeado|hackeada|pirate)\b",
        r"\b(?:hacked|gehackt|hackeado|hackeada|pirate) (?:\w+ ){0,3}(?:last year|years ago|a while ago|once|letztes jahr|vor \w+ jahren|"
        r"el ano pasado|hace anos|ano passado|ha anos|l an dernier|il y a \w+ ans|on another|bei einem anderen|en otro|em outro|sur un autre)\b",
    ],
    "billing_dispute": [
        # a double payment the customer says they made themself: "j'ai payé la facture 2 fois, c'est moi qui ai fait une
        # bêtise", "I think I accidentally paid twice", "paguei duas vezes sem querer"
        r"^(?=.*\b(?:c est moi qui|de ma faute|my mistake|my fault|my bad|it was me who|i accidentally|i mistakenly|"
        r"i (?:paid|clicked|pressed|submitted|tapped) (?:\w+ ){0,4}(?:by mistake|by accident)|mein fehler|"
        r"ich (?:habe |hab )?(?:\w+ ){0,3}(?:aus versehen|versehentlich)|(?:aus versehen|versehentlich) (?:habe |hab )?ich|"
        r"ich habe mich vertan|(?:paguei|cliquei|fiz|apertei) (?:\w+ ){0,4}(?:sem querer|por engano)|erro meu|culpa minha|"
        r"(?:pague|hice|di|clique|pulse) (?:\w+ ){0,4}(?:sin querer|por error|por equivocacion)|culpa mia|error mio|"
        r"j ai (?:\w+ ){0,4}(?:par erreur|sans faire expres)|je me suis trompe\w*)\b)"
        r"(?=.*\b(?:twice|two times|double|doppelt|zweimal|2 mal|2x|deux fois|2 fois|en double|dos veces|duas vezes|2 vezes|"
        r"duplicad\w*|duplicate\w*|dupliqu\w*)\b).*",
        # a merchant's chargeback tooling: "chargeback notification template", "the fee for a chargeback"
        r"\b" + _CHARGEBACK + r" (?:notification|notifications|template|email|emails|fee|fees|gebuhr|vorlage|benachrichtigung\w*|"
        r"modelo|notificacao|notificacion|rate|policy|process)\b",
        r"\b(?:template|vorlage|modelo|modele|plantilla|fee|gebuhr|taxa|tarifa|frais|notification|notificacion|notificacao|"
        r"benachrichtigung) (?:\w+ ){0,4}" + _CHARGEBACK + r"\b",
        # a merchant receiving one from a buyer: "me llegó un contracargo de un cliente, cómo subo la evidencia"
        r"\b" + _CHARGEBACK + r" (?:de|from|von|d|by) (?:un |una |a |an |einem |einer |um |uma |mi |my |un de mes |one of my )?"
        r"(?:cliente|customer|kunde\w*|client|comprador|buyer|acheteur|kaufer)s?\b",
    ],
}
# a keyword quoted as a keyword ("tickets with the word 'lawyer'", "wenn ein Kunde 'Anwalt' schreibt")
_MENTIONS = [r"\b" + _KEYWORD_MENTION + r" (?:like |such as |como |wie |comme |tipo )?(?:\w+ ){0,6}", _WHEN_CUSTOMER_SAYS]
for _name in ("legal", "fraud", "data_privacy", "cancellation", "sensitive", "account_security", "billing_dispute",
              "enterprise_contract"):
    CATEGORY_LOOKALIKES.setdefault(_name, []).extend(_MENTIONS)

"""Shipped phrase patterns of the triggers, per language (en, es, fr, de, pt).

Every pattern is a regular expression matched against *normalised* text (see `normalize.py`):
lowercase, accents stripped, contractions expanded ("don't" -> "do not"), chat slang expanded
("u" -> "you", "pls" -> "please", "sb" -> "someone"), near-miss spellings of key words corrected,
punctuation replaced by single spaces. So patterns are written in plain lowercase ASCII words
separated by single spaces, and `_` inside a pattern stands for "up to N filler words".

Settings may add phrases (`extra_phrases`) or switch languages off; they never need to copy these.
"""
from __future__ import annotations

# Up to N arbitrary words between two parts of a phrase ("talk to a real live person").
W2 = r"(?:\w+ ){0,2}"
W5 = r"(?:\w+ ){0,5}"
W6 = r"(?:\w+ ){0,6}"

# --------------------------------------------------------------------------------------------
# Explicit requests for a human
# --------------------------------------------------------------------------------------------
_EN_PEOPLE = (
    r"(?:human|humans|person|someone|somebody|anyone|anybody|agent|agents|rep|reps|real people|your people|"
    r"representative|representatives|operator|operators|manager|supervisor|staff|employee|"
    r"advisors?|advisers?|specialists?|consultants?|technicians?|engineers?|support person|support staff|live chat|"
    r"live support|real one|team member|member of (?:your|the) (?:team|staff)|customer service|"
    r"customer support|customer care|support team|your team|the team|sales team|account manager|"
    r"a man|a woman|a guy|someone real|human being)"
)
# Verbs that, followed closely by a person word, ask to be put in touch with one.
_EN_CONTACT = (
    r"(?:talk|talking|talked|speak|speaking|chat|chatting|contact|contacting|reach|reaching|get in touch with|be in touch with|getting in touch with|"
    r"connect me|transfer me|transfer to|transfer us|send me to|redirect me to|transfer this|transfer the (?:chat|conversation|call)|escalate|escalating|"
    r"put me through|patch me through|hand me over|hand me off|hand this over|pass me|forward me|"
    r"switch me|call|ring|phone|hand me)"
)
# Weaker verbs ("i need a human") only count when the person word follows right after.
_EN_WANT = r"(?:need|want|prefer|request|requesting|get|give me|get me|bring|send|find me|demand|demanding|asking for|ask for|would like|d like|can i have|could i have|may i have|can we have|could we have)"
_EN_PERSON_STRICT = (
    r"(?:human|humans|person|people|agent|agents|rep|reps|representative|representatives|operator|operators|specialists?|engineers?|technicians?|advisors?|"
    r"manager|supervisor|staff member|employee|live chat|live support|real one|human being|someone real|"
    r"someone from (?:your|the|ur) (?:team|company|staff|support)|someone who (?:works|can actually)|"
    r"customer (?:support|service|care)(?: team| agent| rep| representative)?|support (?:team|agent|staff|rep))"
)

EXPLICIT: dict[str, list[str]] = {
    "en": [
        # "talk to a real person", "speak with someone", "contact a human agent"
        rf"\b{_EN_CONTACT} {W5}{_EN_PEOPLE}\b",
        # "i need a human", "get me a real person", "want an agent now"
        rf"\b{_EN_WANT} (?:to (?:a|an|the|some|your|with|to) )?(?:a |an |the |some |your |one )?(?:real |live |actual |proper |human |senior )?{_EN_PERSON_STRICT}\b",
        # "is there any human available", "anyone there", "is anybody real there"
        r"\b(?:is|are) (?:there|this) (?:any|a|an|some|no)? ?(?:real |live |actual )?(?:human|person|someone|somebody|anyone|anybody|agent|humans|representative)s?\b(?= (?:available|around|there|here|online|i can|i could|who|that|to|on|at|please|in (?:support|your))|$)",
        r"\b(?:is|are) (?:anyone|anybody|someone|somebody|a human|a person|an agent|a real person) (?:\w+ ){0,3}(?:around|there|available|online|here|real|awake|working)\b",
        r"\b(?:anyone|someone|somebody|anybody) (?:from|at|in) (?:your |the )?(?:support|team|staff|company|office|helpdesk|help desk)\b",
        r"\b(?:do not|dont|no longer) want (?:to (?:talk|chat|speak) (?:to|with) )?(?:a |the |your |this |an )?(?:bot|robot|machine|ai|chatbot|automated)\b",
        r"\b(?:any|a) (?:human|person|agent|representative|operator)s? (?:available|around|there|online|i can|here|awake|out there)\b",
        r"\b(?:someone|somebody|a human|a person|an agent|a member of (?:your|the) (?:team|staff)|your (?:team|staff|support team|support staff)|a representative|a rep|a manager) (?:\w+ ){0,2}(?:contact|call|email|phone|reach out to|get back to|ring) (?:me|us)\b",
        # "real person", "live agent", "actual human": the adjective alone says it
        r"\b(?:real|live|actual|human|flesh and blood) (?:person|people|human|humans|agent|agents|being|representative|rep|operator|support|help|assistance|someone|one)\b",
        # a one-word message: "agent", "human please", "representative!!"
        r"^(?:please )?(?:an? )?(?:human|agent|representative|rep|operator|person|manager|supervisor|live agent|real person|someone)(?: please| now| asap| right now)*$",
        # "not a bot", "stop the bot", "i do not want a robot"
        r"\b(?:not|no|stop|enough|hate|without) (?:with |talking to |to )?(?:a |the |this |your |more |stupid |damn )?(?:bot|bots|robot|robots|machine|chatbot|ai|automated)\b",
        r"\b(?:are you|you are|is this|am i talking to|am i chatting with) (?:a |an |just a )?(?:bot|robot|machine|real|human|person|ai)\b.{0,160}\b(?:human|person|someone|real)\b",
        r"\bescalate (?:this|it|my|the|me)\b",
        r"\b(?:assisted|helped|served|handled|answered|contacted|called|attended) by (?:a |an |the |some |one of your )?(?:real |live |actual )?(?:human|person|agent|representative|rep|operator|someone|somebody|staff|employee|people)\b",
        r"\b(?:assistance|help|support|attention) (?:from|of|by) (?:a |an |some )?(?:real |live |actual )?(?:human|person|agent|representative|someone|somebody|staff member|employee)\b",
        r"\b(?:phone |telephone |contact )?number (?:for|of|to) (?:\w+ )?(?:customer service|customer support|support|an agent|a human|a person|someone|your team|your office)\b",
        r"\bwhat (?:\w+ ){0,2}number (?:\w+ ){0,3}(?:call|ring|phone) (?:\w+ ){0,3}(?:someone|somebody|a human|a person|an agent|support|customer service)\b",
        r"\b(?:bot|bots|robot|robots|chatbot|machine|ai|automated system) (?:is|are) (?:\w+ )?(?:stupid|useless|dumb|pointless|worthless|not helping|not helpful|garbage|a joke|no help)\b",
        r"\b(?:hand|pass|route|forward|switch|bring in|loop in|handover|hand over) (?:\w+ ){0,5}(?:human|person|agent|representative|operator|someone|somebody|real person)\b",
        r"\b(?:call|ring|phone) me(?: back)?\b",
        r"\bcallback\b",
        r"\bsomeone (?:from|at|on) (?:your|the|ur) (?:team|company|staff|support|side|end)\b",
        r"\b(?:someone|somebody|a human|a person) (?:to|who can|that can|could) (?:help|call|look|check|talk|speak|assist|contact)\b",
    ],
    "es": [
        r"\b(?:hablar|hablo|comunicarme|comunicar|contactar|chatear|pasame|pasarme|ponme|ponerme|transferirme|quiero|necesito|deseo|puedo) (?:\w+ ){0,4}(?:humano|humana|persona|alguien|agente|asesor|asesora|operador|operadora|ejecutivo|ejecutiva|representante|encargado|gerente|supervisor|empleado)\b",
        r"\b(?:persona|agente|atencion|asesor|ser) (?:real|humano|humana|en vivo)\b",
        r"\bno (?:quiero|deseo) (?:hablar con )?(?:un |una |el |la )?(?:bot|robot|maquina|contestador)\b",
        r"^(?:un )?(?:humano|agente|asesor|operador)(?: por favor)?$",
        r"\bhay (?:alguien|alguno|una persona|un humano)(?: \w+){0,2}? (?:real|de verdad|que no sea (?:un )?(?:bot|robot|maquina))\b",
        r"\bque no sea (?:un |una )?(?:bot|robot|maquina|ia)\b",
    ],
    "fr": [
        r"\b(?:parler|discuter|joindre|contacter|mettre en relation|mettez moi en relation|passer|passez moi|passez|transferez moi|veux|voudrais|besoin) (?:\w+ ){0,4}(?:humain|humaine|personne|quelqu un|agent|conseiller|conseillere|operateur|operatrice|responsable|technicien|representant|interlocuteur)\b",
        # "une vraie personne", "une personne svp"; not "une personne" counted ("8h52, une personne")
        r"\b(?:vraie|vrai) (?:personne|humain)\b",
        r"\bun(?:e)? (?:personne|humain) (?:svp|stp|s il vous plait|s il te plait|merci|maintenant|vite|reelle|physique|qui (?:peut|puisse|sait))\b",
        r"^(?:je veux |je voudrais )?un(?:e)? (?:personne|humain)(?: svp| stp| s il vous plait| maintenant)*$",
        r"\betre humain\b",
        r"^(?:un |une )?(?:humain|humaine|agent|conseiller|conseillere|operateur|operatrice)(?: svp| stp| s il vous plait| maintenant| j ai dit| vite| merci)*$",
        r"\b(?:passe moi|passez moi|avoir|parler a|parle a|appeler|joindre) (?:\w+ ){0,2}(?:qqn|qqun|quelqu un|kelkun)\b",
        r"\b(?:qqn|qqun|quelqu un) (?:au tel|au telephone|de chez vous|de votre equipe|du service|en vrai|de reel)\b",
        r"\b(?:appeler|joindre|contacter|parler au|avoir le) (?:le |au )?service (?:a la )?client\w*\b",
        r"\b(?:transmettre|transmettez|remonter|remontez|faire remonter) (?:\w+ ){0,3}(?:a|au) (?:un |une |votre |le |la )?(?:responsable|superieur|humain|conseiller|manager)\b",
        r"\bpas (?:un |a un |avec un )?(?:robot|bot|machine)\b",
    ],
    "de": [
        r"\b(?:mit|einen|einem|einer|zu einem|zu einer) (?:\w+ ){0,2}(?:mensch|menschen|mitarbeiter|mitarbeiterin|berater|beraterin|person|agenten|kundenberater|sachbearbeiter|ansprechpartner|support mitarbeiter|vorgesetzten)\b",
        r"\b(?:gib mir|hol mir|ich will|ich brauch\w*|kann ich|mit) (?:nen|nem|ner|ne) (?:echten |richtigen )?(?:mensch|menschen|mitarbeiter\w*|berater\w*|person)\b",
        r"\bmit (?:der |dem |einer |einem )?\w*(?:leitung|chefin|chef|geschaftsfuhrung|verantwortlichen)\b (?:\w+ ){0,3}(?:sprechen|reden|telefonieren)\b",
        r"^(?:\w+ )?(?:kundenbetreuer\w*|kundenberater\w*|kundenservice|mitarbeiter\w*|mensch|menschen|support)(?: (?:pls|plz|bitte|please|jetzt|sofort|asap|dringend))+\b",
        r"\b(?:echten|echte|echter|richtigen|richtige|lebenden) (?:mensch|menschen|person|mitarbeiter)\b",
        r"\b(?:verbinden|weiterleiten|durchstellen|zuruckrufen|ruckruf)\b",
        r"\bkein(?:en)? (?:bot|roboter|maschine)\b",
    ],
    "pt": [
        r"\b(?:falar|conversar|contatar|contactar|chamar|quero|preciso|gostaria|passar|transferir) (?:\w+ ){0,4}(?:humano|humana|pessoa|alguem|atendente|agente|operador|operadora|consultor|consultora|gerente|supervisor|representante|funcionario)\b",
        r"\b(?:pessoa|atendimento|atendente) (?:real|humano|humana|de verdade|de vdd)\b",
        r"\bnao (?:quero|aguento) (?:falar com )?(?:um |o |esse )?(?:robo|bot|maquina)\b",
    ],
}

# Phrases that look like a request for a human but are not. Matched first and blanked out.
EXPLICIT_NEGATIVES: list[str] = [
    # software agents
    r"\b(?:monitoring|monitor|user|travel|insurance|real estate|estate|ssh|build|ci|deploy|deployment|"
    r"datadog|backup|sync|update|windows|linux|mac|macos|desktop|proxy|ai|collector|log|logging|"
    r"install|installed|installing|uninstall|the linux|on prem|on premise|remote|endpoint|mdm|"
    r"security|antivirus|puppet|chef|jenkins|gitlab|github|runner|sidecar|host|server|kubernetes|k8s|"
    r"cloud|this|that|our|my) agents?\b(?! (?:please|now|asap|on the phone|to call|to contact))",
    r"\bagents? (?:version|versions|install|installation|installer|config|configuration|update|"
    r"upgrade|logs?|binary|service|process|token|key|software|crash\w*|fail\w*|running|status|"
    r"package|plugin|daemon|setup|download|not reporting|stopped|offline|heartbeat|api|sdk)\b",
    r"\bhuman (?:readable|resources|error|verification|check|timing|friendly|format|language|rights)\b",
    r"\bhuman readable\b",
    r"\bhr\b",
    r"\b(?:not|no|i am|im|a) (?:robot|bot)\b(?= (?:check|checkbox|captcha|verification|test))",
    r"\bcaptcha\b",
    r"\bperson(?:al|ally|alize|alise|alized|alised|ality)\b",
    r"\bsomeone (?:else|in my family|in my team)(?:s)?\b",
    r"\b(?:add|invite|remove|share|assign|mention|tag|transfer ownership to|give access to|"
    r"grant access to|let) (?:\w+ ){0,2}(?:someone|somebody|a person|people|users?|team members?)\b",
    # the customer asks the bot to relay a routine question: the answer is what they want
    r"\b(?:ask|asking|asked) (?:an|the|a|your|one) agents? (?:if|whether|how|where|what|when|which|"
    r"who|why|about|for|to (?:track|check|show|give|find|see|view|make|change|modify|edit|update|"
    r"set|reset|retrieve|recover|switch|download|send|tell|provide|place|help me with))\b",
    r"\b(?:agent|agents|representative) (?:told|said|mentioned|helped|was|were)\b(?! (?:rude|useless|unhelpful))",
    r"\bhow (?:do|can) i (?:become|hire|add|invite|create|configure|set up|setup) (?:an? |more )?(?:agent|agents|human|person|user|people)\b",
    r"\b(?:my|our|their) (?:\w+ )?(?:team|manager|managers|boss|colleague|colleagues|customers?|users?|clients?|accountant|admin|supervisor|it team|it department|agents?|staff|employees?|reps?|people|engineers?)\b",
    r"\b(?:my|our) (?:team|manager|boss|colleague|colleagues|customers?|users?|clients?) (?:wants?|needs?|asked)\b",
    r"\bcall me (?:by|at)\b(?! (?:\d|the|your|a))",
    r"\b(?:api|webhook|callback url|callback urls|callback function|callbacks)\b",
    r"\bcontact (?:form|details|info|information|list|lists|page|email|address|fields?|properties|property|records?|sync|import|export)\b",
    r"\b(?:need|want|get) (?:an? )?(?:\w+ )?(?:agents?|operators?) (?:license|licence|licenses|licences|seat|seats|role|account|accounts|permission|permissions)\b",
]

# --------------------------------------------------------------------------------------------
# Always-human categories
# --------------------------------------------------------------------------------------------
_ACCOUNT = (
    r"(?:account|accounts|acount|acct|subscription|subscriptions|subscribtion|plan|membership|profile|"
    r"service|services|contract|workspace|organisation|organization|org|license|licence|"
    r"user account|online account|user profile|online profile|bank account|customer account)"
)
_ACCOUNT_NOT = r"(?! (?:picture|photo|image|pic|avatar|field|fields|page|section|settings|name|email|address|details|information|info|number|id|password|pin|payment|method|card|tab|view|template|question|data export))"
_FILLER_OK = r"(?:(?!(?:member|members|guest|test|demo|sandbox|child|sub|team|staff|employee|bot|api|users?|customer|customers|client|clients|other|old|second|extra|additional|trial)\b)\w+ )?"

_TX = (
    r"(?:charge|charges|charged|payment|payments|transaction|transactions|debit|debits|direct debit|"
    r"withdrawal|withdrawals|withdrawl|withdraw|purchase|purchases|cash|money|funds|deposit|deposits|"
    r"fee|fees|bill|billing|invoice|subscription|renewal|amount|deduct\w*|"
    r"payout|transaktion)"
)
_NEG_DID = r"(?:do not|did not|never|have not|had not)"
_NEG_VERB = (
    r"(?:recogni[sz]e|recogni[sz]ed|remember|recall|make|made|do|done|authori[sz]e|"
    r"authori[sz]ed|perform|performed|initiate|initiated|set up|setup|create|created|submit|"
    r"submitted|approve|approved|buy|bought|order|ordered|withdraw|withdrew|take out|took out|"
    r"put|deposit|deposited|spend|spent|sign up|signed up|subscribe|subscribed|agree|agreed|"
    r"consent|consented|ask for|asked for|request|requested|expect|expected|purchase|purchased|"
    r"use|used|complete|completed|permit|allow|allowed)"
)
_DUP = (
    r"(?:twice(?! a (?:month|year|week|day|quarter))|two times(?! a )|2 times|2x|double|doubled|double charged|duplicate|duplicated|duplicates|"
    r"more than once|multiple times|many times|several times|too many times|three times|over and over|"
    r"(?:two|2|multiple|several) of the same|(?:two|2|three|3) (?:separate )?times?)"
)
# Duplication phrases that already name the money movement; enough on their own.
_DUP_SELF = (
    r"(?:same (?:transaction|payment|charge|purchase) (?:\w+ ){0,3}(?:again|twice|more|multiple)|"
    r"more than one (?:charge|payment|transaction|debit|withdrawal)|"
    r"repeated (?:transaction|charge|payment|debit)s?|(?:too|to) many (?:charges|payments|transactions|debits)|"
    r"(?:transaction|payment|charge|debit)s? (?:\w+ ){0,2}times|"
    r"(?:multiple|several|two|2|three|repeated) (?:identical |duplicate )?(?:transactions|charges|payments|debits|withdrawals) "
    r"(?:\w+ ){0,3}(?:for (?:one|a single|the same|1)|showing|appear\w*|on my|in my))"
)
_ODD = (
    r"(?:unknown|unrecogni[sz]ed|unfamiliar|strange|weird|odd|suspicious|mysterious|unusual|unexpected|"
    r"random|bogus|fraudulent|fake|unauthori[sz]ed|unidentified|crap|shady|dodgy|incorrect|"
    r"wrong|erroneous|mistaken|bs|bullshit|false|phony|phoney|illegitimate|dubious|questionable|fishy)"
)

ALWAYS_HUMAN: dict[str, dict[str, list[str]]] = {
    "cancellation": {
        "en": [
            rf"\b(?:cancel|cancell?ing|cancell?ed|cancle|close|close down|close out|closing|delete|deleting|terminate|terminating|"
            rf"deactivate|deactivating|remove|removing|end|ending|stop|get rid of|shut down|shutdown|"
            rf"erase|wipe|discontinue|quit|unsubscribe from|downgrade) (?:my |the |our |this |of my |of the )?"
            rf"{_FILLER_OK}{_ACCOUNT}\b{_ACCOUNT_NOT}",
            rf"\b(?:do not|no longer|dont) (?:want|need|wish to keep|wish to have|use) (?:my |this |the |your |our )?(?:\w+ )?{_ACCOUNT}\b",
            r"\bno longer (?:want|wish|need) to (?:be a customer|be your customer|use|pay|have|keep)\b",
            r"\b(?:want|going|decided|plan|planning) to (?:leave (?:you|your (?:service|company|platform|app)|this (?:service|platform|company|app))|quit (?:you|your|this)|switch to a competitor|stop using (?:you|your|this)|stop paying)\b",
            r"\b(?:cancel|end|stop) (?:my |the )?(?:auto ?renew\w*|renewal|recurring (?:billing|payment|charge)|trial)\b",
            r"\bunsubscribe me\b",
            r"\b(?:want|need|would like|wish|how do i|how can i|help me|like|trying) to unsubscribe\b(?! (?:from )?(?:the |your |these |all |my )?(?:newsletter|emails?|notifications?|marketing|mailing|list|sms|texts?))",
            rf"\b(?:want|need|would like|like) (?:my |the |this |our )?{_FILLER_OK}{_ACCOUNT} (?:to be )?(?:closed|deleted|cancell?ed|terminated|removed|deactivated|gone)\b",
            r"\b(?:account|subscription|membership) (?:deletion|cancellation|closure|termination)\b",
            r"\b(?:want|need|would like|wish|going|trying|how do i|how can i|help me) to cancel(?: (?:now|asap|today|immediately|right now|please|everything|all of it))*$",
            r"\bcancel (?:everything|all of it)\b",
            r"\bget out of (?:the |my |our |this |a )?(?:\w+ ){0,2}(?:lease|contract|plan|subscription|membership|agreement|term|remaining \w+)\b",
            # no "^": one anchored branch makes the whole alternation try every position the slow way (+10 us a message)
            r"\bcancel(?: (?:please|pls|plz|now|asap|today|immediately|thanks|thx))+$",
        ],
        "es": [
            r"\b(?:cancelar|cancelen|cancela|cerrar|cierren|eliminar|eliminen|borrar|borren|dar de baja|darme de baja|baja de) (?:\w+ ){0,2}(?:cuenta|suscripcion|plan|membresia|servicio|perfil|contrato)\b",
            r"\bdarme de baja\b",
            r"\b(?:doy|damos|den|denme) de baja (?:esto|eso|todo|mi|mis|nuestra|nuestro)\b",
            r"\b(?:dejar de pagar|dejo de pagar|deje de pagar|no pagar mas|no seguir pagando|dejen de cobrarme|dejad de cobrarme)\b"
            r"(?! (?:en|con|por|a|al|mediante|el|la|los|las) )",
            r"\b(?:anular|anulen|anula|anulame|anulenme) (?:\w+ ){0,2}(?:poliza|suscripcion|contrato|seguro|abono|membresia|plan)\b",
            r"\b(?:ya )?no quiero (?:\w+ ){0,2}(?:cuenta|suscripcion|servicio|plan)\b",
        ],
        "fr": [
            r"\b(?:annuler|resilier|supprimer|fermer|cloturer|desactiver|arreter|mettre fin a) (?:\w+ ){0,2}(?:compte|abonnement|souscription|contrat|forfait|profil|service|adhesion)\b",
            r"\b(?:me desabonner|me desinscrire|resiliation)\b",
            r"\b(?:resiliez|resilie|resilions|resilier|resilies) (?:\w+ ){0,2}(?:compte|abonnement|souscription|contrat|forfait|adhesion|assurance|tout)\b",
            r"\bne plus (?:etre|jamais etre) (?:client|abonne)\w*\b",
            r"\b(?:arreter de payer|j arrete de payer|ne plus payer|plus rien payer|arretez de me prelever|arretez les prelevements)\b",
        ],
        "de": [
            r"\b(?:konto|kundenkonto|account|abo|abonnement|vertrag|mitgliedschaft|profil|zugang|tarif) (?:\w+ ){0,3}(?:kundigen|loschen|schliessen|beenden|stornieren|deaktivieren|aufheben|auflosen|entfernen)\b",
            r"\b(?:kundigen|kundigung|kundige|abmelden|loschen sie mein)\b",
            r"\b(?:aus dem|aus meinem|aus unserem) (?:\w+ )?(?:vertrag|abo|leasing\w*|mietvertrag|abonnement) (?:\w+ ){0,2}raus\b",
            r"\b(?:ganz|komplett|endgultig) (?:\w+ ){0,2}beenden\b",
        ],
        "pt": [
            r"\b(?:cancelar|cancele|cancela|encerrar|encerre|excluir|exclua|apagar|apague|deletar|delete|fechar|feche|desativar|remover) (?:\w+ ){0,2}(?:conta|assinatura|plano|perfil|servico|contrato|inscricao)\b",
            r"\bnao quero mais (?:\w+ ){0,2}(?:conta|assinatura|servico|plano)\b",
            r"\bcancelamento\b",
        ],
    },
    "billing_dispute": {
        "en": [
            rf"\b{_TX}\b.{{0,160}}\b{_NEG_DID} {W2}{_NEG_VERB}\b",
            rf"\b{_NEG_DID} {W2}{_NEG_VERB}\b.{{0,160}}\b{_TX}\b",
            rf"\b{_TX}\b.{{0,160}}\b(?:not familiar with|never seen|never heard of|no idea (?:what|where|about)|not (?:correct|right)|is (?:incorrect|wrong)|(?:that|this|it) is (?:an error|a mistake))\b",
            rf"\b(?:not familiar with|never seen|never heard of|no idea (?:what|where|about)) (?:\w+ ){{0,3}}{_TX}\b",
            rf"\b{_TX}\b.{{0,160}}\b(?:not (?:\w+ ){{0,2}}by me|not mine|is not mind|isnt mind|not my own|not by me|not me|(?:does|do) not belong to me|not belong to me)\b",
            rf"\b{_TX}\b (?:\w+ ){{0,5}}(?:is|looks|seems|that is|that looks|which is|which looks) (?:very |really |a bit |kind of |quite )?{_ODD}\b",
            rf"\b{_TX}\b.{{0,160}}\b(?:dispute|disputing|contest|chargeback|challenge)\b",
            r"\b(?:did not|never) (?:buy|order|purchase|authori[sz]e|approve) (?:this|that|these|those|it)\b(?! (?:change|mistake|error|account|profile|decision|order|request))",
            rf"\b{_TX}\b.{{0,160}}\b(?:was|is|were|are) not (?:authori[sz]ed|approved|made by me|done by me|recogni[sz]ed|mine)\b",
            r"\b(?:cash|funds|money|deposit|deposits) (?:\w+ ){0,4}(?:i|that i) (?:did not|never|have not) (?:receive|received|accept|accepted|get|got|make|deposit|expect|ask for)\b",
            r"\b(?:app|statement|account|it|bank) (?:says|shows|said|showed|claims) (?:that )?i (?:did|made|withdrew|spent|took)\b",
            r"\b(?:withdrawing|taking|spending|stealing|draining) (?:\w+ ){0,2}(?:from|out of) my (?:account|card|bank)\b",
            r"\bwhy (?:is|are) (?:this|that|these|those) (?:\w+ ){0,2}(?:charge|charges|payment|payments|transaction|transactions|debit|debits|withdrawal|withdrawals) (?:on|in)\b",
            rf"\b{_TX}\b.{{0,160}}\b{_DUP}\b",
            rf"\b{_DUP}\b.{{0,160}}\b{_TX}\b",
            rf"\b{_DUP_SELF}\b",
            r"\bextra (?:charge|charges|payment|payments|debit|debits|transaction|transactions) (?:\w+ ){0,3}(?:on|in) my\b",
            rf"\b{_TX}\b.{{0,160}}\b(?:came|come|comes|coming) from\b",
            rf"\b{_TX}\b.{{0,160}}\bi (?:do not|did not) know (?:about|of)(?: (?:it|this|that|them))?$",
            rf"\b{_TX}\b.{{0,160}}\b(?:never been|never visited|never shopped|never heard of|never bought|never used)\b",
            rf"\b(?:my|the) {_FILLER_OK}{_ACCOUNT} (?:\w+ ){{0,3}}(?:deleted|cancell?ed|closed|terminated|removed)\b",
            rf"\b{_ODD} {W2}{_TX}\b",
            rf"\b{_TX} (?:\w+ ){{0,4}}(?:not mine|is not mine|isnt mine|not my own|not by me|i do not recogni[sz]e|without my (?:permission|consent|authori[sz]ation|knowledge))\b",
            r"\b(?:charged|billed|debited|charging|billing) (?:me )?(?:\w+ ){0,3}(?:twice|two times|double|again|after (?:i )?cancel\w*|even though|without|wrong|too much|more than)\b",
            r"\b(?:overcharged|over charged|double charged|double billed|charged double|billed double|overbilled|over billed)\b",
            r"\b(?:dispute|disputing|disputed|contest|contesting|chargeback|charge back|reverse|reversal of) (?:\w+ ){0,3}(?:charge|charges|payment|payments|transaction|transactions|debit|debits|purchase|bill|invoice)\b",
            r"\b(?:chargeback|charge back|raise a dispute|file a dispute|open a dispute)\b",
            r"\bwhat (?:is |are |was )?(?:this|that|these|those) (?:\w+ ){0,2}(?:charge|charges|payment|payments|transaction|transactions|debit|debits|withdrawal|withdrawals|deposit|deduction|fee)\b",
            r"\bwhat the (?:\w+ ){0,2}(?:charge|payment|transaction|debit|withdrawal|deposit) (?:is|was) (?:in|on|for)\b",
            r"\bwhy did (?:you|your company|they|your app) (?:take|charge|bill|debit|withdraw|deduct)\b",
            r"\b(?:took|taken|take|taking|withdrew|withdrawn|deducted) (?:\w+ ){0,2}(?:money|dollars|euros|pounds|usd|eur|gbp|\d+) (?:\w+ ){0,2}from my (?:account|card|bank)\b",
            r"\bwhy (?:am i|was i|have i been|did i get|do i keep getting|did you|does my|is my|did my|was my) (?:\w+ ){0,2}(?:being )?(?:charged|billed|debited|deducted|charge me)\b",
            rf"\b(?:cash|money|funds) (?:\w+ ){{0,3}}(?:missing|taken|withdrawn|taken out|stolen)\b(?! (?:from an atm|at an atm))",
            rf"\bmissing (?:cash|money|funds)\b",
            rf"\b(?:charge|charges|payment|payments|transaction|transactions|debit|debits|withdrawal|withdrawals|cash|deposit|purchase|purchases)\b (?:\w+ ){{0,4}}(?:showing|shows|showed|shown|appearing|appears|appeared|listed|posted) (?:up )?(?:\w+ )?(?:in|on) (?:my |the )?(?:app|statement|statements|account|card|history|bank)\b",
            rf"\b(?:how|where) (?:did |does |do )?(?:\w+ ){{0,2}}(?:charge|payment|transaction|debit|withdrawal|deposit)s? (?:\w+ ){{0,2}}(?:got|get|come|came|end up|ended up|appear|appeared) (?:from|on|in|into)?\b",
            rf"\b{_TX}\b.{{0,160}}\bbut i (?:did not|never)\b(?! (?:receive|get|got|see|saw|know))",
            rf"\b{_TX} is (?:bs|bullshit|wrong|incorrect|a scam|not right|fraud|fake|bogus|a mistake|an error)\b",
            r"\bdo not remember (?:buying|ordering|paying|purchasing|making|spending)\b",
            r"\b(?:refund|money back) (?:for|of|on) (?:a|the|this) (?:charge|payment|transaction|debit) (?:i|that i) (?:did not|never)\b",
            r"\b(?:i am not|im not|i will not|i wont|not going to|never going to) (?:be )?(?:paying|pay) (?:for )?(?:that|this|it|these|those|for something)\b",
            r"\b(?:give me|i want|i need) my money back\b|\brefund me\b",
        ],
        "es": [
            r"\b(?:cobro|cobros|cargo|cargos|pago|pagos|transaccion|cobraron|cobrado|me cobraron)\b.{0,160}\b(?:dos veces|doble|duplicad\w+|no reconozco|no hice|no autorice|desconocid\w+|no realice|indebid\w+|no es mio|fraudulent\w+)\b",
            r"\b(?:no reconozco|desconozco) (?:\w+ ){0,3}(?:cobro|cargo|pago|transaccion|compra|movimiento)\b",
            r"\b(?:disputa|contracargo|reclamar un cobro|cobro indebido)\b",
            r"\b(?:cobraron|cobrado|cobran|cobrais|cobrasteis|descontaron|descontado|cargaron|cargado|debitaron)\b (?:\w+ ){0,5}"
            r"(?:\d|dos|tres|cuatro) veces\b",
            r"\b(?:nunca|jamas) (?:contrate|contratamos|autorice|me suscribi|me di de alta)\b",
            r"\b(?:no (?:pienso|voy a) pagar|no (?:lo |la |los )?pago) (?:eso|esto|esa|ese|nada|ni)\b",
            r"\b(?:devolvedme|devuelvanme|devuelveme|devolveme|reembolsadme|reembolsenme|quiero (?:que me devolvais|que me devuelvan|mi dinero de vuelta))\b",
            r"\b(?:nunca|jamas) (?:pedi|compre|solicite) (?:eso|esto|ese|esa|esos|esas|nada)\b",
            r"\b(?:ni siquiera|ni) soy (?:su )?cliente\b|\bno soy (?:su |vuestro )?cliente\b(?! (?:todavia|aun))",
        ],
        "fr": [
            r"\b(?:debite|debitee|preleve|prelevee|facture|facturee|paye|payee|prelevement|paiement|transaction|achat|frais)\b.{0,160}\b(?:deux fois|2 fois|en double|double|doublon|deja paye|non autorise\w*|que je ne reconnais pas|je ne reconnais pas|pas fait|inconnu\w*|frauduleu\w+)\b",
            r"\bje ne reconnais pas (?:\w+ ){0,3}(?:paiement|prelevement|transaction|achat|debit|montant|frais)\b",
            r"\b(?:contester|litige|opposition sur) (?:\w+ ){0,3}(?:paiement|prelevement|transaction|achat|debit|facture)\b",
            r"\bremboursement (?:d un|du) (?:double|prelevement non)\b",
            r"\b(?:\d|deux|trois|quatre) fois\b (?:\w+ ){0,6}(?:avec votre nom|preleve|prelevee|preleves|debite|debitee|facture|facturee|paye|payee)\b",
            r"\b(?:preleve|prelevee|preleves|debite|debitee|facture|facturee|paye|payee) (?:\w+ ){0,4}(?:\d|deux|trois|quatre) fois\b",
            r"\bjamais (?:souscrit|autorise|signe)\b",
            r"\bjamais (?:commande|demande|achete) (?:ca|cela|ce|ces|rien)\b",
            r"\bje (?:ne )?suis (?:meme )?pas (?:votre |chez vous |un )?client\w*\b(?! (?:encore|pour l instant))",
            r"\bje conteste\b",
            # (the lookbehind after "je", not before it: at a branch's start it made re try the whole alternation the
            # slow way, +34 us a message)
            r"\bje(?<!\bsi je) (?:ne )?(?:paye|paie|paierai) pas (?:ca|cela|ces|pour|\d)|\bje (?:ne )?vais pas payer (?:ca|cela|ces|pour|\d)|"
            r"\bpas question que je pa(?:ye|ie)\b",
            r"\b(?:rendez moi|remboursez moi|rembourse moi|rendez nous|remboursez nous)\b",
        ],
        "de": [
            r"\b(?:doppelt|zweimal|zwei mal|mehrfach) (?:\w+ ){0,3}(?:abgebucht|belastet|berechnet|bezahlt|abgerechnet|gebucht)\b",
            r"\b(?:abbuchung|abbuchungen|lastschrift|zahlung|belastung|transaktion|buchung)\b.{0,160}\b(?:nicht erkenne|kenne ich nicht|nicht autorisiert|nicht gemacht|unbekannt\w*|nicht von mir|doppelt|zweimal|unberechtigt\w*)\b",
            r"\b(?:ruckbuchung|ruckbelastung|chargeback|widerspruch gegen (?:die|eine) (?:lastschrift|abbuchung|zahlung))\b",
            r"\b(?:drei|vier|\d) ?(?:mal|fach) (?:\w+ ){0,3}(?:abgebucht|belastet|berechnet|abgezogen|eingezogen)\b",
            r"\b(?:nichts|das nie|das niemals|sowas nie|so etwas nie|so was nie) (?:\w+ ){0,2}(?:bestellt|abgeschlossen|abonniert|autorisiert|gebucht)\b",
            r"\b(?:nie|niemals) (?:\w+ )?(?:abgeschlossen|abonniert|autorisiert)\b",
            r"\bich bin (?:gar |doch |nicht mal |nicht einmal )?kein (?:kunde|kundin)\b(?! (?:mehr|bei euch mehr))",
            r"\b(?:zahl ich nicht|zahle ich nicht|werde ich nicht (?:be)?zahlen|ich zahl(?:e)? (?:das|die|den) nicht)\b",
            r"\b(?:erstattet mir|erstatten sie mir|ich will mein geld zuruck|gebt mir (?:mein|das) geld zuruck|geld zuruck (?:bitte|jetzt|sofort))\b",
        ],
        "pt": [
            r"\b(?:cobrado|cobrada|cobraram|cobranca|cobrancas|pagamento|pagamentos|transacao|compra|debito)\b.{0,160}\b(?:duas vezes|em dobro|duplicad\w+|nao reconheco|nao fiz|nao autorizei|desconhecid\w+|indevid\w+|nao e minha|fraudulent\w+)\b",
            r"\bnao reconheco (?:\w+ ){0,3}(?:cobranca|pagamento|transacao|compra|debito)\b",
            r"\b(?:contestar|estorno|chargeback) (?:\w+ ){0,3}(?:cobranca|pagamento|transacao|compra)?\b",
            r"\b(?:cobraram|cobrado|cobrada|descontaram|descontado|debitaram|debitado|passaram)\b (?:\w+ ){0,5}(?:\d|duas|tres|quatro) vezes\b",
            r"\b(?:nunca|jamais) (?:assinei|contratei|autorizei|me cadastrei)\b",
            r"\bnao vou pagar (?:isso|isto|essa|esse|nada)\b",
            r"\b(?:me devolvam|devolvam (?:meu|o meu|o)|quero (?:meu|o meu) dinheiro de volta|quero (?:o )?reembolso (?:de|do|da|dos|das))\b",
            r"\b(?:nunca|jamais) (?:pedi|comprei|solicitei) (?:isso|isto|esse|essa|esses|essas|nada)\b",
            r"\b(?:nem|nao) sou (?:seu |sua |cliente de )?cliente\b(?! (?:ainda|ainda nao))",
        ],
    },
    "fraud": {
        "en": [
            r"\b(?:fraud|fraudulent|fraudulently|scam|scammed|scammer|phishing|identity theft|stolen identity|skimm\w+)\b",
            r"\bidentity (?:\w+ ){0,2}(?:stolen|theft|compromised)\b",
            r"\b(?:someone|somebody|some one|a stranger|a hacker|hackers|a thief|someone else|unknown person|someone besides me|someone other than me) (?:\w+ ){0,3}(?:using|used|use|uses|utili[sz]ing|accessed|access|accessing|hacked|stole|stolen|steal|took|taken|taking|withdrew|withdrawn|withdrawing|spent|spending|charged|made|making|bought|buying|ordered|ordering|gained|has access|have access|got hold|logged|get into|got into|broke into|copied|cloned|skimmed)\b(?! (?:it before|to (?:share|have)|my (?:password|account password|profile password)))",
            r"\b(?:used|using|utili[sz]ing|charged|taken|withdrawn|made|spent)\b.{0,160}\bwithout (?:my|me) (?:permission|consent|authori[sz]ation|knowledge|knowing|approval)\b",
            r"\bunauthori[sz]ed (?:use|usage|access|activity)\b",
            r"\b(?:card|cards|card number|card details|pin) (?:\w+ ){0,2}(?:cloned|skimmed|copied|duplicated)\b",
            r"\b(?:card|account|login|bank|payment|credit card|personal) (?:details|information|info|number|numbers|credentials|data|pin) (?:\w+ ){0,3}(?:stolen|leaked|compromised|hacked|exposed|phished)\b",
            r"\b(?:someone|somebody|a stranger|hackers?|scammers?|criminals?|thieves|a thief) (?:\w+ ){0,2}(?:has|have|got|get|stole|took|knows|know) (?:\w+ ){0,1}(?:my )?(?:card|card details|card info|card information|card number|details|information|pin|credentials|identity)\b",
            r"\bmy (?:card|cards|account|details|card details|card number|identity|credit card|debit card) (?:\w+ ){0,3}(?:being used|been used|was used|is used|used by|used in|used at|used for|used to|used online)\b",
            r"\b(?:my ex|ex boyfriend|ex girlfriend|ex husband|ex wife|x boyfriend|x girlfriend|ex partner)\b.{0,160}\b(?:charge|charges|card|account|money|used|using|purchases?)\b",
            r"\b(?:used|using|charged) (?:my )?(?:card|account|details) without (?:my )?(?:permission|consent|authori[sz]ation|knowledge)\b",
            r"\b(?:wallet|purse|phone|card|cards|details) (?:\w+ ){0,2}(?:stolen|stole)\b.{0,160}\b(?:charge|charges|payment|payments|withdraw\w*|purchase\w*|money|transaction\w*|used)\b",
            r"\bstole my (?:wallet|card|identity|details|information|phone)\b.{0,160}\b(?:charge|payment|withdraw\w*|purchase\w*|money|transaction\w*|used)\b",
        ],
        "es": [r"\b(?:fraude|fraudulent\w+|estafa|estafaron|robo de identidad|suplantacion|me robaron|me vaciaron)\b",
               r"\b(?:envios|transferencias|pagos|compras|retiros) (?:\w+ ){0,4}(?:que no (?:conozco|reconozco|hice)|yo no (?:los|las) hice)\b", r"\balguien (?:\w+ ){0,2}(?:uso|usa|usando|usado|robo|hizo|saco|retiro|accedio) (?:\w+ ){0,2}(?:mi|mis)\b"],
        "fr": [r"\b(?:fraude|frauduleu\w+|arnaque|escroquerie|usurpation|vol d identite|on m a vole)\b", r"\bquelqu un (?:\w+ ){0,2}(?:utilise|a utilise|pirate|a pirate|a vole|accede|a accede) (?:\w+ ){0,2}(?:ma|mon|mes)\b"],
        "de": [r"\b(?:betrug|betrugerisch\w*|identitatsdiebstahl|phishing|missbrauch\w*)\b", r"\bjemand (?:\w+ ){0,3}(?:meine|mein|meinen) (?:karte|konto|kreditkarte|zugang)\b"],
        "pt": [r"\b(?:fraude|fraudulent\w+|golpe|golpista|roubo de identidade|clonad\w+|roubaram|levaram (?:meu|minha|o meu|a minha))\b", r"\balguem (?:\w+ ){0,2}(?:usou|usando|usa|roubou|acessou|invadiu) (?:\w+ ){0,2}(?:meu|minha|meus|minhas)\b"],
    },
    "account_security": {
        "en": [
            r"\b(?:code|codes|otp|2fa|verification code|login code|sms code|sms codes)\b (?:\w+ ){0,8}(?:never requested|never asked for|did not request|did not ask for|i did not ask)\b",
            r"\b(?:never requested|never asked for|did not request|did not ask for) (?:\w+ ){0,4}(?:code|codes|otp|2fa)\b",
            r"\b(?:hacked(?! (?:together|up|around|on|a |some|into shape))|compromised|breached|hijacked|taken over)\b",
            r"\b(?:security breach|data breach|account takeover|malware|keylogger)\b",
            r"\b(?:unauthori[sz]ed|suspicious|unusual|strange|unknown|unrecogni[sz]ed) (?:\w+ ){0,1}(?:access|login|logins|log in|sign in|signin|activity|device|devices|session|sessions|ip)\b",
            r"\b(?:someone|somebody) (?:\w+ ){0,2}(?:logged|log|logging|signed|sign) (?:in|into)\b",
            r"\b(?:someone|somebody) (?:\w+ ){0,2}changed my (?:password|email|phone|2fa|login)\b",
            r"\b(?:freeze|block|lock|suspend) (?:my |the )?(?:card|cards|account|bank account)\b(?! (?:settings|feature))",
            r"\blocked out (?:\w+ ){0,4}(?:again|still|repeatedly|every|times|days|weeks|hours|multiple|third|keep)\b",
            r"\b(?:keep|keeps|kept) (?:getting )?lock(?:ed|ing) (?:me )?out\b",
            r"\b(?:lost|no longer have|do not have) (?:access to )?(?:my )?(?:2fa|two factor|mfa|authenticator|recovery codes?)\b",
            r"\b(?:suspicious|suspect|worried|concerned) (?:of|about) (?:my )?(?:\w+ )?(?:card|account)s? security\b",
            r"\b(?:card|account) (?:\w+ ){0,3}(?:security breach|been breached|been compromised)\b",
        ],
        "es": [r"\b(?:hackearon|hackeada|hackeado|hackeo|pirateada|pirateado|acceso no autorizado|comprometida|comprometido|robaron mi cuenta|bloquear mi tarjeta)\b",
               r"\b(?:2fa|codigo|autenticador|dispositivo|sesion|inicio de sesion) (?:\w+ ){0,2}no es (?:el |la )?mi[oa]\b",
               r"\b(?:codigos? (?:de (?:verificacion|acceso|seguridad|inicio de sesion)|por sms)|sms|2fa)\b (?:\w+ ){0,8}no (?:lo |los )?(?:pedi|he pedido|solicite)\b"],
        # "pirate" alone is also an English costume or ship: the French verb only with what was hacked or who
        "fr": [r"\b(?:(?:ete|a ete|est|suis|se fait|s est fait|me suis fait|on m a|ils ont) pirate\w*|pirate (?:mon|ma|mes|le compte|notre|nos)|"
               r"(?:compte|mot de passe|boite mail|email|mail|telephone|portable|ordi\w*|facebook|instagram|whatsapp|site) (?:\w+ ){0,2}"
               r"(?:pirate|piratee|pirates|piratees)|piratage|compromis|compromise|acces non autorise|bloquer ma carte|connexion suspecte)\b",
               r"\b(?:codes? (?:de (?:connexion|verification|securite|validation)|par sms)|sms|2fa)\b (?:\w+ ){0,8}(?:pas demande|jamais demande)\b"],
        "de": [r"\b(?:gehackt|kompromittiert|unbefugte\w* zugriff|verdachtige\w* anmeldung|karte sperren|konto sperren)\b",
               r"\b(?:neues|unbekanntes|fremdes) gerat (?:\w+ ){0,6}(?:ich hab(?:e)? (?:ein|einen|kein)|nicht meins|nicht von mir|war ich nicht)\b",
               r"\b(?:anmeldecode\w*|bestatigungscode\w*|sicherheitscode\w*|login code\w*|sms code\w*|sms|tan|2fa)\b (?:\w+ ){0,8}(?:nicht angefordert|keinen angefordert|keine angefordert)\b"],
        "pt": [r"\b(?:hackeada|hackeado|hackearam|invadida|invadido|invadiram|acesso nao autorizado|comprometida|bloquear (?:meu|o) cartao)\b",
               r"\b(?:codigos? (?:de (?:verificacao|acesso|seguranca|login)|por sms)|sms|2fa)\b (?:\w+ ){0,8}nao (?:pedi|solicitei)\b"],
    },
    "legal": {
        "en": [
            r"\b(?:lawyer|lawyers|attorney|attorneys|solicitor|lawsuit|law suit|legal action|legal proceedings|"
            r"legal department|legal team|legal notice|class action|cease and desist|subpoena|small claims|"
            r"litigation|regulator|ombudsman|consumer protection|trading standards|ftc|cfpb|bbb|"
            r"better business bureau|attorney general|court order)\b",
            r"\b(?:sue|suing|sued|report) (?:you|your company|this company|them)\b",
            r"\b(?:take|taking) (?:you|this|it|your company) to court\b",
            r"\b(?:going to|will|gonna|shall|am going to|are going to|might|plan to|intend to) sue\b",
            r"\bbreach of contract\b",
        ],
        "es": [r"\b(?:abogado|abogada|demanda|demandar|denuncia|denunciar|accion legal|tribunal|juzgado|profeco|consumo)\b"],
        "fr": [r"\b(?:avocat|avocate|poursuite|poursuivre|plainte|action en justice|tribunal|mise en demeure|dgccrf|mediateur)\b"],
        "de": [r"\b(?:anwalt|anwaltin|rechtsanwalt|klage|verklagen|rechtliche schritte|gericht|verbraucherzentrale|abmahnung)\b"],
        "pt": [r"\b(?:advogado|advogada|processo judicial|processar|acao judicial|procon|tribunal|justica)\b"],
    },
    "data_privacy": {
        "en": [
            r"\b(?:gdpr|dsar|ccpa|cpra|lgpd|dsgvo|rgpd|pipeda|subject access request|data subject request|"
            r"right to be forgotten|right to erasure|right of access|data protection officer|dpo|"
            r"privacy request|data request|data deletion|erasure request)\b",
            r"\b(?:delete|erase|remove|wipe|purge) (?:all )?(?:of )?(?:my|our) (?:personal |private )?(?:data|information|info|details|records|history)\b(?! (?:from the (?:report|dashboard|export|csv)|field))",
            r"\b(?:copy|export|access|list|report) (?:of |to )?(?:all )?(?:the |my )?(?:personal )?(?:data|information|info) (?:you|that you|your company|which you) (?:hold|have|store|keep|collect|collected|process)\b",
            r"\bwhat (?:personal )?(?:data|information|info) (?:do you|does your company|you) (?:have|hold|store|keep|collect) (?:on|about|of) (?:me|my|us|our)\b",
            r"\b(?:sell|sold|selling|share|shared|sharing|leak|leaked|leaking) (?:\w+ ){0,2}(?:my|our) (?:personal )?(?:data|information|info|details)\b",
            r"\bpersonal (?:data|information) (?:\w+ ){0,3}(?:deleted|removed|erased|access|request|copy)\b",
            r"\bopt out of (?:data|tracking|sale|selling)\b",
            # someone else's records shown to this customer: "it opened, but these are not my results, it's a woman's name"
            r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:someone else s|another (?:person|patient|customer|client|user|student|member) s?|"
            r"not my) (?:results?|data|details|records?|documents?|file|files|invoice|name|address|test|lab results|x rays?)\b",
        ],
        "es": [r"\b(?:proteccion de datos|borrar mis datos|eliminar mis datos|mis datos personales|derecho al olvido|derechos arco|rgpd)\b",
               r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:de otro|de otra) (?:alumno|alumna|paciente|cliente|persona|usuario|usuaria|socio|socia)\b"],
        "fr": [r"\b(?:rgpd|donnees personnelles|supprimer mes donnees|effacer mes donnees|droit a l oubli|droit d acces)\b",
               r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:d un autre|d une autre) (?:client|cliente|patient|patiente|eleve|utilisateur|personne|adherent)\b"],
        "de": [r"\b(?:dsgvo|datenschutz\w*|personenbezogene\w* daten|meine daten loschen|auskunft uber meine daten|recht auf vergessenwerden)\b",
               r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:von (?:einem |einer )?(?:anderen|fremden) (?:kunden|kundin|patienten|patientin|schuler\\w*|nutzer\\w*|person)|fremde daten)\b"],
        "pt": [r"\b(?:lgpd|dados pessoais|apagar meus dados|excluir meus dados|protecao de dados)\b",
               r"\b(?:received|got|sent me|sent us|opened|showing|shows|i see|i can see|mandaron|mandado|mandasteis|recibi|aparece|salen|recu|envoye|affiche|bekommen|geschickt|sehe|recebi|abri|mostra|veio)\b.{0,80}\b(?:de outra pessoa|de outro (?:paciente|cliente|aluno|usuario)|de outra (?:paciente|cliente|aluna|usuaria))\b"],
    },
    "sensitive": {
        "en": [
            r"\b(?:lost my job|laid off|been fired|got fired|unemployed|cannot afford|can not afford|"
            r"struggling (?:financially|to pay|with money)|financial (?:hardship|difficulties|difficulty|trouble)|"
            r"hardship|bankrupt|bankruptcy|debt collector|eviction|evicted|homeless)\b",
            r"\b(?:had|have|having|after|recovering from|need|needs|scheduled for|emergency) (?:a |an |my |major )?(?:\w+ )?surgery\b",
            r"\b(?:cancer|chemo|chemotherapy|in (?:the )?hospital|hospitali[sz]ed|illness|terminal|diagnosed|"
            r"medical (?:emergency|condition|leave|reasons|bills)|"
            r"mental health|depression|depressed|anxiety attack)\b",
            r"\b(?:i am|im|i have been|got|getting|i fell|am) (?:very |really |seriously |so |terribly |gravely )?(?:sick|ill)\b(?! (?:of|and tired))",
            r"\b(?:seriously|terminally|chronically|gravely|critically) ill\b",
            r"\b(?:my|our|her|his) (?:\w+ )?(?:husband|wife|partner|spouse|mother|father|mom|mum|dad|son|daughter|child|baby|brother|sister|parent|parents|grandmother|grandfather|grandma|grandpa|uncle|aunt|cousin|friend|relative|fiance|fiancee|boyfriend|girlfriend) (?:\w+ ){0,2}(?:died|passed|is dying|was killed)\b",
            r"\b(?:passed away|death in (?:the|my) family|funeral|bereavement|bereaved|widow|widowed|deceased)\b(?! (?:of the (?:server|app|process)))",
            r"\b(?:suicid\w*|kill myself|end my life|self harm|hurt myself|want to die)\b",
            # an emergency told to the bot: a human must see it now, whatever the product
            r"\b(?:chest pains?|can not breathe|cannot breathe|cant breathe|not breathing|an overdose|overdosed|unconscious|"
            r"(?:is having|am having|having|just had) a (?:heart attack|stroke|seizure)|bleeding (?:heavily|a lot|badly)|blackmail\w*|sextortion|extortion)\b",
            r"\b(?:took|taken|gave|given|swallowed|ingested) (?:\w+ ){0,4}(?:double dose|too many (?:pills|tablets))\b",
            r"\b(?:smoke (?:is )?coming|smoke everywhere|there is (?:a )?fire|on fire|gas leak|smells? (?:of|like) gas)\b",
            r"\b(?:no point (?:in )?(?:living|going on)|can not go on|cannot go on|cant go on|do not want to be here anymore|"
            r"emergency room|in a and e|in the er)\b",
            r"\b(?:domestic (?:violence|abuse)|abusive (?:partner|ex|husband|wife)|stalk\w*|harass\w*|threaten\w*|"
            r"unsafe|in danger|my safety|restraining order)\b",
            r"\b(?:my|our) (?:\d+ year old|teen|teenage|underage|minor|young) (?:son|daughter|child|kid|kids|children)\b",
            r"\b(?:minor|minors|underage|under age|child|children|kid|kids|son|daughter) (?:\w+ ){0,2}(?:used my|bought|purchased|made (?:a |some )?purchases?|spent|charged|ran up)\b",
        ],
        "es": [r"\b(?:perdi mi (?:trabajo|empleo)|desempleado|no puedo pagar|enfermedad|en el hospital|hospitalizad\w+|cancer|fallecio|fallecimiento|murio|violencia|acoso|menor de edad)\b",
               r"\b(?:hacerme dano|quitarme la vida|suicid\w*|matarme|no quiero (?:seguir )?vivir|dolor en el pecho|no puedo respirar|"
               r"sale humo|hay humo|hay fuego|fuga de gas|huele a gas|para que sigo|no creo que aguante|ya no aguanto mas|no quiero seguir (?:viviendo|asi)|en urgencias|"
               r"sobredosis|inconsciente|(?:tiene|tuvo|le dio|me dio|esta teniendo) un infarto|acosa\w*|acosador\w*|extorsion\w*|chantaje\w*)\b"],
        "fr": [r"\b(?:perdu mon (?:emploi|travail)|chomage|ne peux pas payer|maladie|a l hopital|hospitalise\w*|cancer|deces|decede|violence|harcelement|mineur)\b",
               r"\b(?:me faire du mal|me suicider|suicid\w*|en finir avec (?:la vie|tout)|mettre fin a mes jours|envie de mourir|"
               r"envie de disparaitre|il y a de la fumee|il y a le feu|fuite de gaz|ca sent le gaz|j en peux plus de (?:tout|la vie|vivre)|plus envie de vivre|a quoi bon (?:vivre|continuer)|aux urgences|"
               r"douleur (?:a|dans) la poitrine|n arrive (?:plus )?pas a respirer|surdose|inconscient\w*|"
               r"crise cardiaque|harcel\w*|chantage|sextorsion)\b"],
        "de": [r"\b(?:arbeitslos|job verloren|nicht bezahlen|krankheit|im krankenhaus|krebs|verstorben|todesfall|gewalt|belastigung|minderjahrig\w*)\b",
               r"\b(?:mir (?:etwas|was) antun|mich umbringen|suizid\w*|selbstmord\w*|nicht mehr leben|will sterben|brustschmerz\w*|"
               r"hat alles keinen sinn mehr|es raucht|rauch kommt|es brennt|gasgeruch|riecht nach gas|in der notaufnahme|kriege keine luft|krieg keine luft|bekomme keine luft|uberdosis|bewusstlos|(?:hat|hatte|habe|erlitten) (?:\w+ )?einen "
               r"(?:herzinfarkt|schlaganfall)|belastigt|stalker\w*|gestalkt|stalkt|erpress\w*)\b"],
        "pt": [r"\b(?:perdi (?:meu|o) emprego|desempregad\w+|nao consigo pagar|doenca|no hospital|hospitalizad\w+|cancer|faleceu|falecimento|violencia|assedio|menor de idade)\b",
               r"\b(?:me machucar|me matar|suicid\w*|tirar (?:a )?minha (?:propria )?vida|nao quero mais viver|quero morrer|dor no peito|"
               r"saindo fumaca|pegando fogo|vazamento de gas|cheiro de gas|nao aguento mais (?:viver|isso tudo|tudo isso)|pra que continuar|nao vejo mais sentido|no pronto socorro|"
               r"nao consigo respirar|overdose|desmaiou|inconsciente|(?:teve|tendo|deu|esta tendo) um infarto|assedi\w*|chantage\w*|extors\w*)\b"],
    },
    "enterprise_contract": {
        "en": [
            r"\b(?:enterprise|business|corporate|volume|custom|annual|multi year|multiyear) (?:plan |tier |license |licence )?(?:contract|agreement|deal|pricing negotiation|quote|discount|terms)\b",
            r"\b(?:msa|master services agreement|master service agreement|data processing agreement|dpa|"
            r"order form|redline|redlines|procurement|security questionnaire|vendor assessment|vendor onboarding|"
            r"purchase order|net 30|net 60|net 90|sla credits?|uptime credits?)\b",
            r"\b(?:contract|agreement) (?:renewal|negotiation|terms|amendment|changes?|review|termination)\b",
            r"\b(?:renegotiat\w+|negotiat\w+) (?:\w+ ){0,3}(?:contract|price|pricing|terms|renewal|discount|deal)\b",
            r"\b(?:\d{3,}|hundreds of|thousands of) (?:seats|licenses|licences|users)\b",
        ],
        "es": [r"\b(?:contrato empresarial|contrato corporativo|negociar (?:el )?contrato|renovacion del contrato|orden de compra)\b"],
        "fr": [r"\b(?:contrat entreprise|negocier (?:le )?contrat|renouvellement du contrat|bon de commande)\b"],
        "de": [r"\b(?:rahmenvertrag|unternehmensvertrag|vertragsverhandlung\w*|vertragsverlangerung|bestellschein|auftragsverarbeitungsvertrag|avv)\b"],
        "pt": [r"\b(?:contrato empresarial|contrato corporativo|negociar (?:o )?contrato|renovacao do contrato|ordem de compra)\b"],
    },
}

# --------------------------------------------------------------------------------------------
# Frustration, pushback, hedging
# --------------------------------------------------------------------------------------------
FRUSTRATION_STRONG: list[str] = [
    r"\b(?:ridiculous|unacceptable|useless|pathetic|absurd|outrageous|incompetent|infuriating|furious|"
    r"livid|disgusted|disgraceful|appalling|joke of a|worst (?:service|support|company|experience|bot|app)|"
    r"waste of (?:my )?(?:time|money)|wasting my time|fed up|had enough|sick of|sick and tired|"
    r"fuming|beyond frustrat\w+|extremely frustrat\w+|so frustrat\w+|really frustrat\w+|very frustrat\w+)\b",
    r"\b(?:you are|youre|this is|that is|thats|its|it is|this bot is|you re) (?:\w+ )?(?:not helping|useless|stupid|dumb|a joke|"
    r"not helpful|no help|unhelpful|hopeless|garbage|trash|rubbish|terrible|horrible|awful)\b",
    r"\b(?:you|this|it) (?:do|does|did) not (?:understand|help|answer|listen|get it|read)\b",
    r"\b(?:i|we) (?:already|just) (?:told|said|explained|asked|answered|tried|did)\b",
    r"\bhow many (?:more )?times\b",
    r"\bfor the (?:third|3rd|fourth|4th|fifth|5th|tenth|nth|hundredth|last) time\b",
    # the customer counting their own repeats, or the bot's: "asking third time", "same answer again"
    r"\b(?:asking|telling you|saying|said|told you|asked|explaining|repeating)(?: (?:it|this|you))? (?:for )?(?:the |a )?"
    r"(?:third|3rd|fourth|4th|fifth|5th) time\b",
    r"\b(?:third|3rd|fourth|4th|fifth|5th) time (?:i am|im|i have|ive|now|asking|telling|that)\b",
    r"\bsame (?:answer|reply|response|message|link|article) (?:again|\d times|twice|three times|over and over)\b",
    r"\bi (?:keep|have to keep|had to keep) (?:asking|telling|repeating|explaining)\b",
    r"\byou (?:keep|kept) (?:saying|telling|sending|giving|repeating|asking)\b",
    r"\b(?:that is|thats|this is|its|it is) not what i (?:asked|said|meant|need|wanted|want)\b",
    r"\b(?:answer|read) my (?:question|message)\b",
    r"\bnot (?:helpful|helping) at all\b",
    r"\b(?:can not|cannot) understand you\b",
    r"\bdo not understand you\b",
    r"\bstill (?:not|does not|doesnt|is not|isnt|can not|have not|havent|no) (?:\w+ )?(?:working|work|works|fixed|resolved|solved|received|arrived|sorted|answered)\b",
    r"\bnothing (?:you )?(?:works|worked|has worked|is working|helps|helped)\b",
    r"\bthis is (?:a )?(?:nightmare|insane|crazy|madness|unbelievable|a disaster)\b",
    r"\b(?:wtf|wth|ffs|omfg)\b",
    r"\b(?:fuck this|fuck you|fuck off|screw this|screw you|bullshit|this is shit|piece of shit|this sucks|you suck|you are an idiot)\b",
    r"\bgive me a (?:straight|real|proper) answer\b",
    r"\bstop (?:sending|giving|linking) (?:me )?(?:\w+ )?(?:links|articles|the same)\b",
    # es, fr, de, pt
    r"\b(?:es ridiculo|es inaceptable|no sirves|no me ayudas|no ayuda|estoy harto|estoy harta|perdida de tiempo|ya te dije)\b",
    r"\b(?:por (?:tercera|cuarta|quinta|enesima|3a|3ra) vez|te lo repito|la misma respuesta otra vez|otra vez la misma respuesta)\b",
    r"\b(?:pour la (?:troisieme|quatrieme|cinquieme|enieme|3e|3eme) fois|toujours la meme reponse|encore la meme reponse)\b",
    r"\b(?:zum (?:dritten|vierten|funften|x ten|xten|hundertsten|tausendsten) mal|immer die gleiche antwort|schon wieder die gleiche antwort)\b",
    r"\b(?:pela (?:terceira|quarta|quinta|enesima|3a) vez|ja falei|a mesma resposta de novo|sempre a mesma resposta)\b",
    r"\b(?:c est ridicule|inadmissible|inacceptable|vous ne servez a rien|tu ne sers a rien|j en ai marre|perte de temps|je vous ai deja dit)\b",
    r"\b(?:unverschamt|lacherlich|inakzeptabel|nutzlos|das hilft nicht|zeitverschwendung|ich habe es satt|hab es satt)\b",
    r"\b(?:ridiculo|inaceitavel|voce nao ajuda|nao ajuda em nada|perda de tempo|estou farto|estou farta|ja disse)\b",
]

FRUSTRATION_MILD: list[str] = [
    r"\b(?:not helpful|unhelpful|does not help|did not help|doesnt help|didnt help|not working|does not work|"
    r"did not work|doesnt work|didnt work|annoying|annoyed|frustrat\w*|disappoint\w*|confus\w*|"
    r"ugh+|come on|not happy|unhappy|upset|angry|irritat\w*|unbelievable|terrible|"
    r"horrible|awful|bad service|poor service|not good enough)\b",
    r"\b(?:that|this|it) (?:is not|isnt|doesnt|does not) (?:right|correct|work|help|answer)\b",
]

# A customer pushing back on the AI's last answer (a rejection, a correction, a doubt).
PUSHBACK: list[str] = [
    r"^(?:no|nope|nah|wrong|incorrect|not really|not quite|that is wrong|thats wrong)\b(?! (?:thank|thanks|that is all|thats all|specific|preference|particular|need to|problem|worries|rush|hurry|that will be all|that should be all|that is everything|i think that|that is fine|that is it|thats it|i am good|im good|nothing|i am all set|im all set|i think that is|i think thats|problem|worries|need|not at this|not now|not right now|i do not need|i dont need))",
    r"^(?:are you sure|really|seriously)\b",
    r"\b(?:i said|i asked for|i asked you|i told you|i meant|i already)\b(?! (?:thank|thanks))",
    r"\byou (?:gave|sent|told|showed) me (?:the )?(?:wrong|a different|the phone|another|an old|the same)\b",
    r"\b(?:try again|that is not it|thats not it|not what i)\b",
]

# An AI turn that offers or asks to confirm something: a "no" after it is an answer, not pushback.
AI_OFFER = (
    r"\b(?:please confirm|to confirm|to verify|please verify|is that (?:correct|right|ok|okay)|correct\?|"
    r"would you like|do you want (?:to|me to) (?:buy|purchase|book|reserve|make|add|get|hear|proceed)|"
    r"shall i|should i|do you need|can i help|anything else|is there anything|want me to)\b"
)

# The AI admitting it cannot help (counts as a weak signal when the customer pushes back).
AI_FAILURE: list[str] = [
    r"\b(?:i (?:could not|couldnt|can not|cannot|am unable to|was unable to|was not able to) (?:find|locate|help|access|see|do|answer|resolve))\b",
    r"\b(?:no (?:results|matches|records)|nothing (?:else )?(?:that )?match\w*|not (?:able|allowed) to help)\b",
    r"\b(?:i do not have (?:access|information|that information|the ability)|outside (?:of )?(?:my|what i) )\b",
    r"\b(?:no (?:pude|puedo|he podido) (?:encontrar|ayudar|acceder|ver|resolver)|no tengo acceso|no encuentro)\b",
    r"\b(?:je n ai pas pu (?:trouver|acceder|resoudre)|je ne peux pas (?:vous |t )?aider|je n ai pas acces)\b",
    r"\b(?:ich konnte (?:\w+ )?nicht (?:finden|helfen|zugreifen)|ich kann (?:ihnen|dir) (?:da )?nicht helfen|keinen zugriff)\b",
    r"\b(?:nao (?:consegui|consigo|pude|posso) (?:encontrar|ajudar|acessar|ver|resolver)|nao tenho acesso)\b",
]

HEDGES: list[str] = [
    r"\b(?:i think|i believe|i guess|i suppose|i assume|it is possible that|it is possible|its possible|"
    r"possibly|perhaps|might be|may be|maybe|probably|not sure|not certain|not 100|unsure|"
    r"i am not sure|im not sure|if i understand correctly|it seems|it appears|i would guess|"
    r"could be|as far as i know|to my knowledge|i do not know|i dont know|hard to say|"
    r"i can not be sure|cannot be sure|unclear)\b",
    # es, fr, de, pt (AI replies in the customer's language)
    r"\b(?:creo que|quizas|quiza|tal vez|a lo mejor|puede que|probablemente|posiblemente|no estoy segur[oa]|"
    r"parece que|es posible que|no lo se|no sabria decir|supongo que)\b",
    r"\b(?:je pense que|je crois que|peut etre|probablement|il est possible que|il se peut que|possiblement|"
    r"je ne suis pas sure?|il semble que|je ne sais pas|je suppose que)\b",
    r"\b(?:ich glaube|ich denke|vielleicht|moglicherweise|wahrscheinlich|eventuell|bin mir nicht sicher|"
    r"es konnte sein|es scheint|ich weiss (?:es )?nicht|vermutlich)\b",
    r"\b(?:acho que|creio que|talvez|provavelmente|possivelmente|nao tenho certeza|pode ser que|parece que|"
    r"e possivel que|nao sei|suponho que)\b",
]

# Page paths that mean the customer is about to cancel or is on a billing screen.
PAGE_PATTERNS: dict[str, list[str]] = {
    "cancellation": [r"cancel", r"/close[-_]?account", r"/delete[-_]?account", r"/downgrade", r"/offboard", r"/churn", r"/unsubscribe"],
    "billing": [r"/billing", r"/invoice", r"/payment", r"/subscription", r"/plans?\b", r"/pricing", r"/checkout", r"/refund"],
}

# Topic hints used only to label the intent of a conversation that escalates for a
# non-category reason (frustration, loop...) and to measure complexity (topics touched).
TOPICS: dict[str, list[str]] = {
    "billing": [r"\b(?:invoice|invoices|bill|billing|charge|charged|payment|payments|refund|price|pricing|plan|subscription|card|receipt|vat|tax|factura|facture|rechnung|fatura|pago|paiement|zahlung|pagamento)\b"],
    "technical": [r"\b(?:error|errors|\w+error|\w+exception|exception|traceback|stack trace|undefined|bug|crash\w*|broken|"
                  r"not working|does not work|fails|failing|api|integration|sync|install\w*|login|log in|password|reset|"
                  r"timeout|slow|500|404|outage|down|webhook|sdk|export|import|upload|download|app|browser|"
                  r"fehler\w*|absturz|sturzt ab|funktioniert nicht|erreur|plante|ne marche pas|ne fonctionne pas|"
                  r"falla|no funciona|se cuelga|erro|nao funciona|travou|trava)\b"],
    "account": [r"\b(?:account|profile|email address|username|user name|settings|permissions|seat|seats|team member|invite|sso)\b"],
    "shipping": [r"\b(?:order|orders|delivery|shipping|shipment|package|parcel|tracking|track)\b"],
}

# AI replies that are pure politeness; repeating them is not a loop.
AI_CLOSERS = (
    r"^(?:is there |can i help (?:you )?with |do you need (?:help with )?|anything else|"
    r"(?:you are|your) welcome|have a (?:good|great|nice|lovely) (?:day|evening|night|one)|"
    r"glad (?:i could|to) help|thank you|thanks|ok|okay|sure|great|goodbye|bye)\b.{0,60}$"
)
